import { z } from 'zod';

import { COMPOSE_FILE_NAMES, NEW_STACK_NAME_PATTERN, projectNameOf, STACK_NAME_PATTERN } from './names.js';

export { COMPOSE_FILE_NAMES, NEW_STACK_NAME_PATTERN, projectNameOf, STACK_NAME_PATTERN };

/**
 * A stack name (its folder path under the stacks dir); validated once at the entry, before any
 * path is built. Every level starts with a letter or digit, so `.` and `..` never pass.
 */
export const StackName = z
  .string()
  .regex(
    STACK_NAME_PATTERN,
    'a stack name is a folder name of 1 to 64 letters, digits, ".", "_", "-" or spaces, starting with a letter or digit (levels separated by "/")',
  );
export type StackName = z.infer<typeof StackName>;

/** The name of a stack Berth creates: already a valid compose project name. */
export const NewStackName = z
  .string()
  .regex(
    NEW_STACK_NAME_PATTERN,
    'a stack name is 1 to 64 characters: lower-case letters, digits, "_" and "-", starting with a letter or digit',
  );

export const ComposeFileName = z.enum(COMPOSE_FILE_NAMES);
export type ComposeFileName = z.infer<typeof ComposeFileName>;

/** `updating`: a swarm stack during a rolling update (compose stacks never read so). */
export const StackStatus = z.enum(['down', 'created', 'running', 'partial', 'exited', 'unknown', 'updating']);
export type StackStatus = z.infer<typeof StackStatus>;

export const StackHealth = z.enum(['none', 'healthy', 'starting', 'unhealthy']);
export type StackHealth = z.infer<typeof StackHealth>;

/** One finding of validation; lines and columns are 1-based, end is exclusive. */
export const Problem = z.object({
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
  endLine: z.number().int().min(1),
  endColumn: z.number().int().min(1),
});
export type Problem = z.infer<typeof Problem>;

export const ContainerInfo = z.object({
  id: z.string(),
  name: z.string(),
  service: z.string(),
  state: z.string(),
  health: z.string().nullable(),
  exitCode: z.number().nullable(),
  image: z.string(),
  ports: z.array(
    z.object({
      hostIp: z.string().nullable(),
      hostPort: z.number().nullable(),
      containerPort: z.number(),
      protocol: z.string(),
    }),
  ),
});
export type ContainerInfo = z.infer<typeof ContainerInfo>;

export const StackSummary = z.object({
  /** The host the stack lives on: `local`, or an agent's host id. */
  host: z.string(),
  name: z.string(),
  /** false for compose projects running in the engine with no folder in the stacks dir. */
  managed: z.boolean(),
  composeFile: ComposeFileName.nullable(),
  /** The compose project: derived from the folder name as compose does (`My.App` -> `myapp`). */
  projectName: z.string(),
  /** Other stacks whose folders map to the same compose project (never merged; a warning). */
  conflicts: z.array(z.string()),
  status: StackStatus,
  health: StackHealth,
  services: z.object({ total: z.number().int(), running: z.number().int() }),
  /** ISO time of the last change of the compose file or .env on disk; null when unmanaged. */
  updatedAt: z.string().nullable(),
  /** Services with an image update (a new digest for their tag, or newer tags); 0 when unmanaged. */
  updates: z.number().int(),
  /** `swarm` when the compose file says `x-berth: {target: swarm}` (or an unmanaged swarm stack). */
  target: z.enum(['compose', 'swarm']),
});
export type StackSummary = z.infer<typeof StackSummary>;

export const StackDetail = StackSummary.extend({
  yaml: z.string(),
  /** Content of `.env`, or null when the stack has none. */
  env: z.string().nullable(),
  etag: z.string(),
  containers: z.array(ContainerInfo),
});
export type StackDetail = z.infer<typeof StackDetail>;

export const HistoryEntry = z.object({
  id: z.string(),
  savedAt: z.string(),
  size: z.number().int(),
  /** The override, include or extends file this version is of; absent: the main file and .env. */
  file: z.string().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;
