import { AppError } from '../errors.js';
import { mayUseStack, type Principal } from '../http/principal.js';
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

/** Whose a shell is: the session that opened it (or the token, for sockets without a session). */
export const ownerKey = (p: Principal): string => p.sessionId ?? (p.tokenId ? `token:${p.tokenId}` : p.via);

/**
 * terminal:* and exec:open: parse -> hub / exec service -> ack. `prepare` may create a terminal
 * before a join (a stack's action terminal exists, empty, for anyone who opens the stack, so
 * output of the next action reaches viewers who were already there). A shell belongs to the
 * session that opened it: no other session may watch it, type into it or resize it.
 */
export function terminalHandlers(
  hub: TerminalHub,
  exec: ExecSessions,
  log: Logger,
  prepare: (id: string) => Promise<void> = () => Promise.resolve(),
) {
  const mustOwn = (id: string, principal: Principal): void => {
    const owner = hub.ownerOf(id);
    if (owner !== undefined && owner !== ownerKey(principal)) {
      throw new AppError('FORBIDDEN', 'this terminal belongs to another session');
    }
  };
  return (socket: BerthSocket): void => {
    onEvent(
      socket,
      'terminal:join',
      async ({ id }, principal) => {
        // A stack outside the principal's scope has no terminal for them either.
        const stack = /^stack:(.+)$/.exec(id)?.[1];
        if (stack !== undefined && !mayUseStack(principal, stack)) {
          throw new AppError('STACK_NOT_FOUND', `no stack "${stack}"`);
        }
        await prepare(id);
        mustOwn(id, principal);
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
      ({ id }) => {
        hub.leave(id, socket.id);
        void socket.leave(terminalRoom(id));
        return null;
      },
      log,
    );
    onEvent(
      socket,
      'terminal:input',
      ({ id, data }, principal) => {
        mustOwn(id, principal);
        hub.write(id, data);
        return null;
      },
      log,
    );
    onEvent(
      socket,
      'terminal:resize',
      ({ id, cols, rows }, principal) => {
        mustOwn(id, principal);
        hub.resize(id, cols, rows);
        return null;
      },
      log,
    );
    // Its stack's scope is checked by onEvent, as for every payload that names a stack.
    onEvent(socket, 'exec:open', (payload, principal) => exec.open(payload, ownerKey(principal)), log);
    socket.on('disconnect', () => hub.leaveAll(socket.id));
  };
}
