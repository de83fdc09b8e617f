import { z } from 'zod';
import { OptionalHost } from './hosts.js';
import { LOG_LEVELS } from './log-levels.js';
import { StackName } from './stack.js';

export { LOG_LEVELS };

/** Container logs: the socket events and the download route share these shapes. */

export const LogLevel = z.enum(LOG_LEVELS);
export type LogLevel = z.infer<typeof LogLevel>;

export const LogStream = z.enum(['stdout', 'stderr']);
export type LogStream = z.infer<typeof LogStream>;

export const LogLine = z.object({
  ts: z
    .string()
    .describe(
      'the engine time stamp, UTC, always 9 fraction digits (sorts as a string): 2024-05-01T10:00:00.123456789Z',
    ),
  container: z.string().describe('container name'),
  service: z.string(),
  stream: LogStream.describe('stdout for TTY containers (a TTY merges both)'),
  text: z.string().describe('one line, without its line break; may hold ANSI escape sequences'),
  level: LogLevel.optional().describe(
    'detected from the text (JSON level fields, [ERROR], level=warn, glog, ERROR: ...)',
  ),
});
export type LogLine = z.infer<typeof LogLine>;

/** A point in time: RFC 3339 (`2024-05-01T10:00:00Z`) or Unix seconds (`1714557600.5`). */
export const LogTime = z
  .string()
  .max(40)
  .refine(
    (v) =>
      /^\d{1,12}(\.\d{1,9})?$/.test(v) ||
      /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:\d\d)$/.test(v),
    'a time is RFC 3339 (2024-05-01T10:00:00Z) or Unix seconds',
  );

const Name = z.string().min(1).max(128);
const Tail = z.number().int().min(0).max(10_000);

export const LogsSubscribe = z.object({
  host: OptionalHost,
  stack: StackName,
  service: Name.optional(),
  container: Name.optional().describe('a container name or id (prefix) of the stack'),
  tail: Tail.optional().describe('lines of backlog before live lines; 200 when absent'),
  since: LogTime.optional().describe('backlog from this time instead of the last `tail` lines'),
});
export type LogsSubscribe = z.infer<typeof LogsSubscribe>;

export const LogsSubscribeReply = z.object({
  id: z.string().describe('the subscription, in every logs:lines'),
});
export const LogsUnsubscribe = z.object({ id: z.string().min(1).max(64), host: OptionalHost });
export const LogsBatch = z.object({
  id: z.string(),
  host: OptionalHost,
  lines: z.array(LogLine).describe('oldest first within the batch'),
  dropped: z
    .number()
    .int()
    .optional()
    .describe('lines left out before this batch because the client did not keep up'),
});
export type LogsBatch = z.infer<typeof LogsBatch>;

/** A filter on lines: text (plain, case-insensitive, or a regex), inverted or not, and levels. */
export const LogFilterFields = z.object({
  q: z.string().max(1000).optional(),
  regex: z.boolean().optional(),
  invert: z.boolean().optional(),
  level: z.array(LogLevel).max(6).optional(),
});
export type LogFilterFields = z.infer<typeof LogFilterFields>;

export const LogsHistory = LogFilterFields.extend({
  host: OptionalHost,
  stack: StackName,
  service: Name.optional(),
  container: Name.optional(),
  until: LogTime.optional().describe('lines strictly older than this; now when absent'),
  limit: z.number().int().min(1).max(5000).optional().describe('200 when absent'),
});
export type LogsHistory = z.infer<typeof LogsHistory>;

export const LogsHistoryReply = z.object({
  lines: z.array(LogLine).describe('oldest first, the newest `limit` matching lines before `until`'),
  complete: z.boolean().describe('true when the search reached the oldest line of the containers'),
});
export type LogsHistoryReply = z.infer<typeof LogsHistoryReply>;

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((v) => v === 'true' || v === '1')
  .optional();

/** GET /api/stacks/:name/logs query (strings, as a URL carries them). */
export const LogsDownloadQuery = z.object({
  service: Name.optional(),
  container: Name.optional(),
  since: LogTime.optional(),
  until: LogTime.optional().describe('lines strictly older than this'),
  tail: z
    .string()
    .regex(/^\d{1,6}$/, 'tail is a whole number')
    .transform(Number)
    .pipe(z.number().max(100_000, 'tail is at most 100000'))
    .optional()
    .describe('only the last N matching lines (at most 100000)'),
  q: z.string().max(1000).optional(),
  regex: flag,
  invert: flag,
  level: z
    .string()
    .max(100)
    .transform((v) => v.split(',').filter(Boolean))
    .pipe(z.array(LogLevel))
    .optional()
    .describe('comma-separated levels'),
  format: z.enum(['text', 'ndjson']).default('text'),
});
export type LogsDownloadQuery = z.infer<typeof LogsDownloadQuery>;

/** The body of a download: text lines or one LogLine JSON object per line. */
export const LogsDownload = z
  .string()
  .describe(
    'text: `<ts> <service> <container> <stdout|stderr> | <text>` per line; ndjson: one LogLine per line',
  );
