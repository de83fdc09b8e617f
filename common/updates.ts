import { z } from 'zod';
import { StackName } from './stack.js';

/** Result of comparing a running container's image with its registry tag. */
export const UpdateStatus = z.enum(['up-to-date', 'update-available', 'not-checked', 'error']);
export type UpdateStatus = z.infer<typeof UpdateStatus>;

/** `berth.update` service label. */
export const UpdatePolicy = z.enum(['notify', 'auto', 'off']);
export type UpdatePolicy = z.infer<typeof UpdatePolicy>;

export const ImageCheck = z.object({
  stack: z.string(),
  service: z.string(),
  /** The image reference as the container was created from it (`nginx:1.27`). */
  image: z.string(),
  /** Registry digest the running container's image was pulled as (index digest for multi-arch). */
  currentDigest: z.string().nullable(),
  /** What the registry's tag points at now (HEAD). */
  latestDigest: z.string().nullable(),
  status: UpdateStatus,
  checkedAt: z.string(),
  /** Why not checked / what failed / how a multi-arch change was judged. */
  reason: z.string().optional(),
  /** Tags matching `berth.update.tags` that are newer than the current tag. */
  newerTags: z.array(z.string()).optional(),
  policy: UpdatePolicy,
});
export type ImageCheck = z.infer<typeof ImageCheck>;

export const ImageCheckList = z.array(ImageCheck);

export const CheckRequest = z.object({ stack: StackName.optional() });
export type CheckRequest = z.infer<typeof CheckRequest>;

export const CheckReply = z.object({ jobId: z.string() });
export type CheckReply = z.infer<typeof CheckReply>;

export const CheckJob = z.object({
  id: z.string(),
  stack: z.string().nullable(),
  state: z.enum(['running', 'succeeded', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** How many images were looked up, and how many have an update. */
  checked: z.number().int(),
  updates: z.number().int(),
  error: z.string().nullable(),
});
export type CheckJob = z.infer<typeof CheckJob>;

export const UpdateResult = z.enum(['updated', 'up-to-date', 'rolled-back', 'failed']);
export type UpdateResult = z.infer<typeof UpdateResult>;

export const ServiceChange = z.object({
  service: z.string(),
  image: z.string(),
  fromDigest: z.string().nullable(),
  toDigest: z.string().nullable(),
});
export type ServiceChange = z.infer<typeof ServiceChange>;

export const UpdateHistoryEntry = z.object({
  id: z.number().int(),
  stack: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** User name, or `auto` for the update window. */
  actor: z.string(),
  result: UpdateResult.nullable().describe('null while the update runs'),
  reason: z.string().nullable(),
  changes: z.array(ServiceChange),
  jobId: z.string(),
  /** The stack file history entry holding compose/.env as they were before the update. */
  fileHistoryId: z.string().nullable(),
  output: z.string().describe('the job output (last 64 KiB)'),
});
export type UpdateHistoryEntry = z.infer<typeof UpdateHistoryEntry>;

export const UpdateHistoryList = z.array(UpdateHistoryEntry);

/**
 * Notification targets as URLs: `http(s)://...` generic JSON webhook, `ntfy(s)://host/topic`,
 * `gotify(s)://host/TOKEN`, `json(s)://host/path` (Apprise's JSON form).
 */
export const NotifyUrl = z
  .string()
  .max(2048)
  .regex(
    /^(https?|ntfys?|gotifys?|jsons?):\/\/[^\s]+$/,
    'use http(s)://, ntfy(s)://, gotify(s):// or json(s)://',
  );

export const NotificationSettings = z.object({
  urls: z.array(NotifyUrl).max(20),
  /** Notify when a check finds new updates. */
  onUpdateAvailable: z.boolean(),
  /** Notify when an update fails or rolls back. */
  onUpdateFailed: z.boolean(),
});
export type NotificationSettings = z.infer<typeof NotificationSettings>;

export const NotificationTestRequest = z.object({ urls: z.array(NotifyUrl).max(20).optional() });
export type NotificationTestRequest = z.infer<typeof NotificationTestRequest>;

export const NotificationTestReply = z.array(
  z.object({ url: z.string(), ok: z.boolean(), error: z.string().optional() }),
);
export type NotificationTestReply = z.infer<typeof NotificationTestReply>;
