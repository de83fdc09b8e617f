// Users with roles, API tokens, sessions, the audit log and settings: request and reply schemas.
import { z } from 'zod';
import { Password, Username } from './api.js';
import { PERMISSIONS, ROLES } from './permissions.js';

export const RoleName = z.enum(Object.keys(ROLES) as [keyof typeof ROLES, ...Array<keyof typeof ROLES>]);
export const PermissionName = z.enum(PERMISSIONS);

/** A stack name or a glob of them (`*` any run of characters, `?` one character). */
export const StackPattern = z
  .string()
  .regex(/^[a-z0-9_*?-]{1,64}$/, 'a stack pattern is a stack name, or one with * and ? in it');
/** The stacks a user or token may see and act on; null: every stack. */
export const StackScope = z.array(StackPattern).max(100).nullable();

/** The signed-in user as the SPA sees it: what their role allows, to hide what it does not. */
export const AuthUser = z.object({
  username: z.string(),
  role: RoleName,
  permissions: z.array(PermissionName),
  stacks: StackScope,
});
export type AuthUser = z.infer<typeof AuthUser>;

export const UserInfo = z.object({
  username: z.string(),
  role: RoleName,
  disabled: z.boolean(),
  stacks: StackScope,
  /** false while an invite has not been taken up. */
  hasPassword: z.boolean(),
  createdAt: z.string(),
});
export type UserInfo = z.infer<typeof UserInfo>;
export const UserList = z.array(UserInfo);

export const CreateUserRequest = z.object({
  username: Username,
  role: RoleName,
  /** Omitted: an invite link is returned instead; the user sets the password there. */
  password: Password.optional(),
  stacks: StackScope.optional(),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;
export const CreateUserReply = z.object({
  user: UserInfo,
  inviteUrl: z.string().nullable().describe('shown once; valid for 7 days'),
});

export const UpdateUserRequest = z.object({
  role: RoleName.optional(),
  disabled: z.boolean().optional(),
  stacks: StackScope.optional(),
});
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const AcceptInviteRequest = z.object({
  token: z.string().min(10).max(200),
  password: Password,
});

export const SessionInfo = z.object({
  /** Not the session id: a digest of it, enough to tell sessions apart. */
  id: z.string(),
  current: z.boolean(),
  createdAt: z.string().nullable(),
  address: z.string().nullable(),
  expiresAt: z.string(),
});
export const SessionList = z.array(SessionInfo);
export const EndedSessions = z.object({ ended: z.number().int() });

export const TokenInfo = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string(),
  role: RoleName,
  /** `berth_<8 characters>`: enough to recognise a token, useless to use one. */
  prefix: z.string(),
  stacks: StackScope,
  expiresAt: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  lastUsedAddress: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TokenInfo = z.infer<typeof TokenInfo>;
export const TokenList = z.array(TokenInfo);
export const TokenQuery = z.object({ user: Username.optional() });

export const CreateTokenRequest = z.object({
  name: z.string().trim().min(1).max(64),
  role: RoleName,
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  stacks: StackScope.optional(),
});
export type CreateTokenRequest = z.infer<typeof CreateTokenRequest>;
export const CreateTokenReply = z.object({
  id: z.string(),
  token: z.string().describe('the whole token: shown this once, stored only as a hash'),
  prefix: z.string(),
});
export const TokenId = z.uuid();

export const AuditEntry = z.object({
  id: z.number().int(),
  at: z.string(),
  /** null when nobody could be told (a token that does not exist). */
  user: z.string().nullable(),
  via: z.string().describe('`session`, `token:<name>`, or `token` for a token that was refused'),
  operation: z.string(),
  target: z.string().nullable(),
  /** The host acted on: `local`, or an agent's host id. */
  host: z.string(),
  /** HTTP status, or 200 / the error's status for socket actions. */
  status: z.number().int(),
  address: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditList = z.array(AuditEntry);
export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
  user: z.string().max(64).optional(),
  stack: z.string().max(64).optional(),
  format: z.enum(['json', 'csv', 'ndjson']).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const Settings = z.object({
  auditRetentionDays: z.number().int().min(1).max(3650),
});
export type Settings = z.infer<typeof Settings>;
