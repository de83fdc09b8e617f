// Socket events, both ways: payload schemas, ack schemas and who may send each client event.
// The server registers handlers from CLIENT_EVENTS (the socket wrapper checks its access) and
// OpenAPI documents both tables under x-socket-events.
import { z } from 'zod';
import type { ErrorCode } from './errors.js';
import type { Access } from './permissions.js';
import { StackSummary } from './stack.js';
import { StatsSampleEvent, StatsSubscribe, StatsSubscribeReply, StatsUnsubscribe } from './stats.js';
import { ResourceJob } from './resources.js';
import {
  LogsBatch,
  LogsHistory,
  LogsHistoryReply,
  LogsSubscribe,
  LogsSubscribeReply,
  LogsUnsubscribe,
} from './logs.js';
import { SwarmChanged } from './swarm.js';
import { HostSummary, OptionalHost } from './hosts.js';

/** Every ack: `{ok: true, data}` or `{ok: false, error: {code, message}}`. */
export type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };
export type AckFn<T> = (ack: Ack<T>) => void;

export const TerminalId = z.string().min(1).max(128);
export const TerminalJoin = z.object({ id: TerminalId, host: OptionalHost });
export const TerminalLeave = z.object({ id: TerminalId, host: OptionalHost });
export const TerminalInput = z.object({
  id: TerminalId,
  data: z.string().max(64 * 1024),
  host: OptionalHost,
});
export const TerminalResize = z.object({
  id: TerminalId,
  host: OptionalHost,
  cols: z.number().int().min(2).max(1000),
  rows: z.number().int().min(1).max(500),
});
export const ExecOpen = z.object({
  host: OptionalHost,
  stack: z.string().max(64),
  service: z.string().min(1).max(128),
  shell: z.string().max(64).optional(),
});
export const TerminalJoinReply = z.object({
  buffer: z.string().describe('the scrollback so far; live output follows as terminal:output'),
  running: z.boolean(),
  exitCode: z.number().int().nullable(),
});
export type TerminalJoinResult = z.infer<typeof TerminalJoinReply>;
export const ExecOpenReply = z.object({ id: z.string().describe('`exec:<uuid>`, a terminal to join') });
export const StackRemoved = z.object({ name: z.string(), host: OptionalHost });
export const TerminalOutput = z.object({ id: z.string(), data: z.string(), host: OptionalHost });
export const TerminalExit = z.object({ id: z.string(), exitCode: z.number().int(), host: OptionalHost });
export const StackListPayload = z.array(StackSummary);
export const HostChanged = HostSummary.extend({ removed: z.boolean().optional() });

export interface ClientEventDef {
  description: string;
  access: Access;
  payload: z.ZodType;
  /** Data of a successful ack; null when the ack carries none. */
  ack: z.ZodType | null;
  ackRequired: boolean;
}

export const CLIENT_EVENTS = {
  'terminal:join': {
    description:
      'joins a terminal (`stack:<name>` or `exec:<uuid>`): the scrollback, then live output. ' +
      'An exec terminal can be joined only by the session that opened it.',
    access: 'read',
    payload: TerminalJoin,
    ack: TerminalJoinReply,
    ackRequired: true,
  },
  'terminal:leave': {
    description: 'stops the output of a terminal',
    access: 'read',
    payload: TerminalLeave,
    ack: null,
    ackRequired: false,
  },
  'terminal:input': {
    description: "keystrokes for one's own exec terminal; FORBIDDEN for action terminals (read-only)",
    access: 'exec',
    payload: TerminalInput,
    ack: null,
    ackRequired: false,
  },
  'terminal:resize': {
    description: "resizes one's own exec terminal",
    access: 'exec',
    payload: TerminalResize,
    ack: null,
    ackRequired: false,
  },
  'exec:open': {
    description: 'a shell in a running container of a stack; NOT_FOUND unknown service, CONFLICT not running',
    access: 'exec',
    payload: ExecOpen,
    ack: ExecOpenReply,
    ackRequired: true,
  },
  'stats:subscribe': {
    description:
      'live resource use of a stack (`{stack}`) or the host (`{scope: "host"}`): the last 5 minutes at ' +
      'once, then `stats:sample` every 2 s while subscribed (the engine is asked only while someone watches)',
    access: 'read',
    payload: StatsSubscribe,
    ack: StatsSubscribeReply,
    ackRequired: true,
  },
  'stats:unsubscribe': {
    description: 'ends a stats subscription',
    access: 'read',
    payload: StatsUnsubscribe,
    ack: null,
    ackRequired: false,
  },
  'logs:subscribe': {
    description:
      'follows the logs of a stack, service or container: the backlog, then live lines as logs:lines; ' +
      'containers that appear later (recreated, scaled) join; one engine stream per container is ' +
      'shared by all viewers. STACK_NOT_FOUND, NOT_FOUND (container). A batch may arrive before the ack: ' +
      'keep batches of ids not known yet',
    access: 'read',
    payload: LogsSubscribe,
    ack: LogsSubscribeReply,
    ackRequired: true,
  },
  'logs:unsubscribe': {
    description: 'ends a subscription of this socket (all end when the socket does)',
    access: 'read',
    payload: LogsUnsubscribe,
    ack: null,
    ackRequired: false,
  },
  'logs:history': {
    description:
      'older lines: the newest `limit` matching lines before `until`, found in time windows growing ' +
      'backwards until enough match or the containers began. BAD_REQUEST for a bad regex',
    access: 'read',
    payload: LogsHistory,
    ack: LogsHistoryReply,
    ackRequired: true,
  },
} as const satisfies Record<string, ClientEventDef>;

export const SERVER_EVENTS = {
  'stacks:list': { description: 'every stack, once on connect', payload: StackListPayload },
  'stack:changed': {
    description: 'a stack whose summary changed (files or engine), coalesced over ~40 ms',
    payload: StackSummary,
  },
  'stack:removed': { description: 'a stack that is gone', payload: StackRemoved },
  'terminal:output': { description: 'output of a joined terminal', payload: TerminalOutput },
  'terminal:exit': { description: 'the process of a joined terminal ended', payload: TerminalExit },
  'logs:lines': {
    description: 'log lines of a subscription (logs:subscribe), in time-ordered batches',
    payload: LogsBatch,
  },
  'volume:job': {
    description: 'progress and end of a volume backup or restore, to every connected user',
    payload: ResourceJob,
  },
  'stats:sample': {
    description: "a sample of a stats subscription (its `id` plus the stack's or the host's figures)",
    payload: StatsSampleEvent,
  },
  'host:changed': {
    description:
      'a host came online, went offline or was added or removed (`removed: true`): to every socket not ' +
      'limited to some stacks; read GET /api/hosts for the whole list',
    payload: HostChanged,
  },
  'swarm:changed': {
    description: "a swarm stack's services or tasks changed: read GET /api/stacks/:name/swarm again",
    payload: SwarmChanged,
  },
} as const satisfies Record<string, { description: string; payload: z.ZodType }>;

export type ClientEventName = keyof typeof CLIENT_EVENTS;
type Events = typeof CLIENT_EVENTS;
type AckData<E extends ClientEventName> = Events[E]['ack'] extends z.ZodType
  ? z.output<Events[E]['ack']>
  : null;
export type PayloadOf<E extends ClientEventName> = z.input<Events[E]['payload']>;

export type ServerToClientEvents = {
  [E in keyof typeof SERVER_EVENTS]: (payload: z.output<(typeof SERVER_EVENTS)[E]['payload']>) => void;
};
export type ClientToServerEvents = {
  [E in ClientEventName]: Events[E]['ackRequired'] extends true
    ? (payload: PayloadOf<E>, ack: AckFn<AckData<E>>) => void
    : (payload: PayloadOf<E>, ack?: AckFn<AckData<E>>) => void;
};
/** The data a handler of `E` answers with. */
export type AckDataOf<E extends ClientEventName> = AckData<E>;
