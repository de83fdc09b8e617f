import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../common/events.js';
import { ROLES } from '../../../common/permissions.js';
import { fromOwnOrigin, type TrustFn } from '../http/same-origin.js';
import type { Logger } from '../logger.js';
import type { FeedMessage } from '../stacks/stack-feed.js';
import type { StackService } from '../stacks/stack-service.js';
import type { SocketData } from './socket-handler.js';

export type BerthSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
type SessionRequest = IncomingMessage & {
  session?: Partial<SessionData> & { cookie?: { expires?: Date | null } };
};

const STACKS_ROOM = 'stacks';
/** Longest a timer may wait (setTimeout's limit); a later expiry is re-armed on the way. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The session side the realtime layer needs: who ended, and whether one is still alive. */
export interface SessionEvents {
  onEnded(listener: (sids: string[]) => void): () => void;
  isAlive(sid: string): Promise<boolean>;
}

export interface Realtime {
  io: Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
  publish(m: FeedMessage): void;
  close(): Promise<void>;
}

/**
 * socket.io on the HTTP server, authenticated by the same session cookie as the API.
 * `register` adds per-socket handlers (terminals); each must validate its payloads.
 */
export function createRealtime(deps: {
  server: HttpServer;
  sessionMiddleware: RequestHandler;
  stacks: StackService;
  log: Logger;
  /** The same trusted-proxy rule as HTTP's: X-Forwarded-Host counts only from such a peer. */
  trust: TrustFn;
  sessions: SessionEvents;
  register?: (socket: BerthSocket) => void;
}): Realtime {
  const log = deps.log.child({ module: 'realtime' });
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(
    deps.server,
    {
      serveClient: false,
      // The CSRF rule of HTTP: a handshake must come from Berth's own origin (no Origin: refused).
      allowRequest: (req, cb) => {
        const ok = fromOwnOrigin(req.headers, req.socket.remoteAddress, deps.trust);
        cb(ok ? null : 'origin not allowed', ok);
      },
    },
  );
  io.engine.use(deps.sessionMiddleware);
  io.use((socket, next) => {
    const req = socket.request as SessionRequest;
    const user = req.session?.user;
    const sessionId = (req as { sessionID?: string }).sessionID;
    if (!user || !sessionId || req.headers.authorization !== undefined) {
      next(new Error('UNAUTHENTICATED'));
      return;
    }
    socket.data.principal = { username: user.username, permissions: ROLES.admin, via: 'session', sessionId };
    next();
  });

  // A socket belongs to its session and ends with it.
  const bySession = new Map<string, Set<BerthSocket>>();
  const endSessions = (sids: string[]): void => {
    for (const sid of sids) {
      for (const socket of bySession.get(sid) ?? []) socket.disconnect(true);
    }
  };
  const stopListening = deps.sessions.onEnded(endSessions);
  const watchExpiry = (socket: BerthSocket, sid: string): void => {
    const expires = (socket.request as SessionRequest).session?.cookie?.expires;
    if (!expires) return;
    let timer: NodeJS.Timeout | undefined;
    const arm = (at: number): void => {
      timer = setTimeout(check, Math.min(Math.max(at - Date.now(), 0) + 50, MAX_TIMER_MS));
      timer.unref();
    };
    // Activity over HTTP rolls the session on: ask the store rather than trust the first date.
    const check = (): void => {
      void deps.sessions.isAlive(sid).then((alive) => {
        if (!socket.connected) return;
        if (alive) arm(Date.now() + 60_000);
        else socket.disconnect(true);
      });
    };
    arm(new Date(expires).getTime());
    socket.on('disconnect', () => clearTimeout(timer));
  };

  io.on('connection', (socket) => {
    const sid = socket.data.principal.sessionId;
    if (sid) {
      let set = bySession.get(sid);
      if (!set) bySession.set(sid, (set = new Set()));
      set.add(socket);
      socket.on('disconnect', () => {
        set.delete(socket);
        if (set.size === 0) bySession.delete(sid);
      });
      watchExpiry(socket, sid);
    }
    void socket.join(STACKS_ROOM);
    socket.emit('stacks:list', deps.stacks.list());
    deps.register?.(socket);
    // Unknown events with an ack get an error instead of silence.
    socket.onAny((event: string, ...args: unknown[]) => {
      if (socket.listeners(event as keyof ClientToServerEvents).length > 0) return;
      const ack = args[args.length - 1];
      if (typeof ack === 'function') {
        (ack as (a: unknown) => void)({
          ok: false,
          error: { code: 'BAD_REQUEST', message: `unknown event "${event}"` },
        });
      }
    });
  });

  return {
    io,
    publish: (m) => {
      if (m.type === 'changed') io.to(STACKS_ROOM).emit('stack:changed', m.stack);
      else io.to(STACKS_ROOM).emit('stack:removed', { name: m.name });
    },
    close: () =>
      new Promise<void>((resolve) => {
        stopListening();
        io.disconnectSockets(true);
        void io.close(() => resolve());
        log.debug('realtime closed');
      }),
  };
}
