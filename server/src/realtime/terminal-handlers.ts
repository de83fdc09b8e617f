import {
  ExecOpen,
  TerminalInput,
  TerminalJoin,
  TerminalLeave,
  TerminalResize,
} from '../../../common/events.js';
import type { Logger } from '../logger.js';
import type { ExecSessions } from '../terminals/exec-sessions.js';
import type { TerminalHub } from '../terminals/terminal-hub.js';
import type { TerminalSink } from '../terminals/terminal-types.js';
import type { BerthSocket, Realtime } from './realtime-server.js';
import { onEvent } from './socket-handler.js';

export const terminalRoom = (id: string): string => `terminal:${id}`;

/** The hub's output goes to the socket.io room of each terminal. */
export function roomSink(realtime: () => Realtime | undefined): TerminalSink {
  return {
    output: (id, data) => realtime()?.io.to(terminalRoom(id)).emit('terminal:output', { id, data }),
    exit: (id, exitCode) => realtime()?.io.to(terminalRoom(id)).emit('terminal:exit', { id, exitCode }),
  };
}

/**
 * terminal:* and exec:open: parse -> hub / exec service -> ack. `prepare` may create a terminal
 * before a join (a stack's action terminal exists, empty, for anyone who opens the stack, so
 * output of the next action reaches viewers who were already there).
 */
export function terminalHandlers(
  hub: TerminalHub,
  exec: ExecSessions,
  log: Logger,
  prepare: (id: string) => Promise<void> = () => Promise.resolve(),
) {
  return (socket: BerthSocket): void => {
    onEvent(
      socket,
      'terminal:join',
      TerminalJoin,
      async ({ id }) => {
        await prepare(id);
        // Snapshot and room join happen in one tick: no output is lost or sent twice.
        const snapshot = hub.join(id, socket.id);
        void socket.join(terminalRoom(id));
        return snapshot;
      },
      log,
    );
    onEvent(
      socket,
      'terminal:leave',
      TerminalLeave,
      ({ id }) => {
        hub.leave(id, socket.id);
        void socket.leave(terminalRoom(id));
        return null;
      },
      log,
    );
    onEvent(socket, 'terminal:input', TerminalInput, ({ id, data }) => (hub.write(id, data), null), log);
    onEvent(
      socket,
      'terminal:resize',
      TerminalResize,
      ({ id, cols, rows }) => (hub.resize(id, cols, rows), null),
      log,
    );
    onEvent(socket, 'exec:open', ExecOpen, (payload) => exec.open(payload), log);
    socket.on('disconnect', () => hub.leaveAll(socket.id));
  };
}
