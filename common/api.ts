import { z } from 'zod';
import { NewStackName, Problem, StackName } from './stack.js';

export const DockerHealth = z.object({
  reachable: z.boolean(),
  /** Engine version as the daemon reports it, null when unreachable. */
  version: z.string().nullable(),
  /** `docker compose version --short`, null when the compose v2 plugin is missing. */
  composeVersion: z.string().nullable(),
});
export type DockerHealth = z.infer<typeof DockerHealth>;

export const HealthResponse = z.object({
  ok: z.boolean(),
  docker: DockerHealth,
});
export type HealthResponse = z.infer<typeof HealthResponse>;

/** Largest compose or .env text Berth accepts (the JSON body limit is the same). */
export const MAX_TEXT_BYTES = 1024 * 1024;
const Text = z.string().max(MAX_TEXT_BYTES, 'is larger than 1 MiB');

export const CreateStackRequest = z.object({
  name: NewStackName,
  yaml: Text,
  env: Text.optional(),
});
export type CreateStackRequest = z.infer<typeof CreateStackRequest>;

export const SaveStackRequest = z.object({
  yaml: Text,
  /** Omitted: .env is left as it is. */
  env: Text.optional(),
  etag: z.string().min(1),
});
export type SaveStackRequest = z.infer<typeof SaveStackRequest>;

export const SaveStackResponse = z.object({
  etag: z.string(),
  problems: z.array(Problem),
});
export type SaveStackResponse = z.infer<typeof SaveStackResponse>;

export const ValidateRequest = z.object({
  yaml: Text,
  /** The `.env` text to interpolate with; omitted: the stack's own `.env` when `stack` is given. */
  env: Text.optional(),
  /** The stack the text belongs to: its `.env` and files (env_file, include, extends) count. */
  stack: StackName.optional(),
});
export type ValidateRequest = z.infer<typeof ValidateRequest>;

export const Username = z
  .string()
  .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'a user name is 1 to 64 letters, digits, ".", "_", "@" or "-"');
export const Password = z
  .string()
  .min(8, 'a password has at least 8 characters')
  .max(1024, 'a password has at most 1024 characters');

export const Credentials = z.object({ username: Username, password: z.string().min(1).max(1024) });
export type Credentials = z.infer<typeof Credentials>;
export const SetupRequest = z.object({ username: Username, password: Password });
export type SetupRequest = z.infer<typeof SetupRequest>;
export const ChangePasswordRequest = z.object({
  currentPassword: z.string().min(1).max(1024),
  newPassword: Password,
});
export type ChangePasswordRequest = z.infer<typeof ChangePasswordRequest>;

export const SessionUser = z.object({ username: z.string() });
export type SessionUser = z.infer<typeof SessionUser>;
export const AuthStatus = z.object({ setupRequired: z.boolean(), user: SessionUser.nullable() });
export type AuthStatus = z.infer<typeof AuthStatus>;

export const STACK_ACTIONS = ['up', 'down', 'stop', 'start', 'restart', 'pull', 'update'] as const;
export const StackAction = z.enum(STACK_ACTIONS);
export type StackAction = z.infer<typeof StackAction>;

export const ActionResponse = z.object({ jobId: z.string(), terminal: z.string() });
export type ActionResponse = z.infer<typeof ActionResponse>;

/** Largest `docker run` text the converter takes. */
export const MAX_COMMAND_BYTES = 64 * 1024;

export const ConvertRequest = z.object({
  /** One or more `docker run` commands, as pasted (continuations, quotes, comments, sudo). */
  command: z
    .string()
    .min(1, 'paste at least one docker run command')
    .max(MAX_COMMAND_BYTES, 'is larger than 64 KiB'),
  /** Existing compose text to add the services to; its comments and formatting are kept. */
  into: Text.optional(),
});
export type ConvertRequest = z.infer<typeof ConvertRequest>;

export const ConvertResponse = z.object({
  yaml: z.string(),
  /** Options compose cannot express, and other things the user should know; never silent. */
  warnings: z.array(z.string()),
});
export type ConvertResponse = z.infer<typeof ConvertResponse>;
