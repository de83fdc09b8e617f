import { z } from 'zod';
import type { ErrorCode } from './errors.js';
import type { LogsBatch, LogsHistory, LogsHistoryReply, LogsSubscribe } from './logs.js';
import type { StackSummary } from './stack.js';

/** Every ack: `{ok: true, data}` or `{ok: false, error: {code, message}}`. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };
export type AckFn<T> = (ack: Ack<T>) => void;

export const TerminalId = z.string().min(1).max(128);
export const TerminalJoin = z.object({ id: TerminalId });
export const TerminalLeave = z.object({ id: TerminalId });
export const TerminalInput = z.object({ id: TerminalId, data: z.string().max(64 * 1024) });
export const TerminalResize = z.object({
  id: TerminalId,
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(1).max(500),
});
export const ExecOpen = z.object({
  stack: z.string().max(64),
  service: z.string().min(1).max(128),
  shell: z.string().max(64).optional(),
});

export interface TerminalJoinResult {
  buffer: string;
  running: boolean;
  exitCode: number | null;
}

export interface ServerToClientEvents {
  'stacks:list': (stacks: StackSummary[]) => void;
  'stack:changed': (stack: StackSummary) => void;
  'stack:removed': (payload: { name: string }) => void;
  'terminal:output': (payload: { id: string; data: string }) => void;
  'terminal:exit': (payload: { id: string; exitCode: number }) => void;
  'logs:lines': (payload: LogsBatch) => void;
}

export interface ClientToServerEvents {
  'terminal:join': (payload: z.infer<typeof TerminalJoin>, ack: AckFn<TerminalJoinResult>) => void;
  'terminal:leave': (payload: z.infer<typeof TerminalLeave>, ack?: AckFn<null>) => void;
  'terminal:input': (payload: z.infer<typeof TerminalInput>, ack?: AckFn<null>) => void;
  'terminal:resize': (payload: z.infer<typeof TerminalResize>, ack?: AckFn<null>) => void;
  'exec:open': (payload: z.infer<typeof ExecOpen>, ack: AckFn<{ id: string }>) => void;
  'logs:subscribe': (payload: LogsSubscribe, ack: AckFn<{ id: string }>) => void;
  'logs:unsubscribe': (payload: { id: string }, ack?: AckFn<null>) => void;
  'logs:history': (payload: LogsHistory, ack: AckFn<LogsHistoryReply>) => void;
}
