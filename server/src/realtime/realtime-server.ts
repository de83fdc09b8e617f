import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../common/events.js';
import type { AccessService } from '../auth/access-service.js';
import type { NewAuditEntry } from '../auth/audit-log.js';
import { AppError } from '../errors.js';
import { bearerToken, mayUseStack, type Principal } from '../http/principal.js';
import { fromOwnOrigin, type TrustFn } from '../http/same-origin.js';
import type { Logger } from '../logger.js';
import type { FeedMessage } from '../stacks/stack-feed.js';
import type { StackService } from '../stacks/stack-service.js';
import type { SocketData } from './socket-handler.js';
import type { StackSummary } from '../../../common/stack.js';
import type { InternalAuth } from '../http/internal-principal.js';

export type BerthSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  Record<string, never>,
  SocketData
>;
type SessionRequest = IncomingMessage & {
  session?: Partial<SessionData> & { cookie?: { expires?: Date | null } };
};

export const STACKS_ROOM = 'stacks';
/** Sockets limited to some stacks: each push is filtered for each of them. */
const SCOPED_ROOM = 'stacks-scoped';
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
  /** A stack of another host changed or went: to every socket not limited to some stacks. */
  publishHost(host: string, m: FeedMessage): void;
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
  /** Principals of sockets (session user or API token), re-checked when a user or token changes. */
  access: AccessService;
  /** Where socket actions are recorded. */
  audit?: (entry: NewAuditEntry) => void;
  /** Agent mode: the hub's link connects with an in-memory secret instead of a session. */
  internal?: InternalAuth;
  /** Hub: agents' handshakes (header `x-berth-agent: 1`) pass the origin check; /agent authenticates them. */
  agents?: boolean;
  /** Stacks of other hosts (the hub's cache of its agents'), listed after the local ones. */
  remoteStacks?: () => StackSummary[];
}): Realtime {
  const log = deps.log.child({ module: 'realtime' });
  const io = new Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>(
    deps.server,
    {
      serveClient: false,
      // The CSRF rule of HTTP: a handshake must come from Berth's own origin (no Origin: refused).
      allowRequest: (req, cb) => {
        // A handshake with a token is no browser riding a cookie: judged by the token alone.
        // Neither can a browser on another site set the agent or internal headers.
        const ok =
          req.headers.authorization !== undefined ||
          (deps.agents === true && req.headers['x-berth-agent'] === '1') ||
          deps.internal?.principal(req.headers) != null ||
          fromOwnOrigin(req.headers, req.socket.remoteAddress, deps.trust);
        cb(ok ? null : 'origin not allowed', ok);
      },
    },
  );
  io.engine.use(deps.sessionMiddleware);
  io.use((socket, next) => {
    const req = socket.request as SessionRequest;
    const address = req.socket.remoteAddress ?? 'unknown';
    const header = req.headers.authorization;
    let principal: Principal | null = deps.internal?.principal(req.headers) ?? null;
    // The hub's link (agent mode) needs neither token nor session.
    if (!principal && header !== undefined) {
      try {
        const result = deps.access.tokenIdentity(bearerToken(header), address);
        if (result.ok) principal = result.identity;
        else
          deps.audit?.({
            ...result.refusal,
            operation: 'socket:connect',
            target: null,
            status: 401,
            address,
          });
      } catch (err) {
        next(new Error(err instanceof AppError ? err.code : 'UNAUTHENTICATED'));
        return;
      }
    } else if (!principal) {
      const user = req.session?.user;
      const sessionId = (req as { sessionID?: string }).sessionID;
      const identity = user && sessionId ? deps.access.userIdentity(user.username) : null;
      if (identity && sessionId) principal = { ...identity, sessionId };
    }
    if (!principal) {
      next(new Error('UNAUTHENTICATED'));
      return;
    }
    socket.data.principal = principal;
    if (deps.audit) {
      const record = deps.audit;
      socket.data.audit = (operation, target, status, host) => {
        const p = socket.data.principal;
        record({ user: p.username, via: p.via, operation, target, stack: target, status, address, host });
      };
    }
    next();
  });

  // Principals limited to some stacks see the local host only (their scope names local stacks).
  const stacksFor = (p: Principal) =>
    p.scope
      ? deps.stacks.list().filter((s) => mayUseStack(p, s.name))
      : [...deps.stacks.list(), ...(deps.remoteStacks?.() ?? [])];
  const joinStackRooms = (socket: BerthSocket): void => {
    const scoped = Boolean(socket.data.principal.scope);
    void socket.leave(scoped ? STACKS_ROOM : SCOPED_ROOM);
    void socket.join(scoped ? SCOPED_ROOM : STACKS_ROOM);
  };
  // A user or token changed: each of its sockets gets what it may do now, or is ended.
  const recheck = (match: (p: Principal) => boolean): void => {
    for (const socket of io.sockets.sockets.values()) {
      const before = socket.data.principal;
      if (!match(before)) continue;
      const now = deps.access.refresh(before);
      if (!now) {
        socket.disconnect(true);
        continue;
      }
      socket.data.principal = { ...now, ...(before.sessionId ? { sessionId: before.sessionId } : {}) };
      joinStackRooms(socket);
      socket.emit('stacks:list', stacksFor(socket.data.principal));
    }
  };
  const stopUsers = deps.access.events.onUserChanged((username) =>
    recheck((p) => p.username.toLowerCase() === username.toLowerCase()),
  );
  const stopTokens = deps.access.events.onTokenRevoked((id) => recheck((p) => p.tokenId === id));

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
    joinStackRooms(socket);
    socket.emit('stacks:list', stacksFor(socket.data.principal));
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
      const name = m.type === 'changed' ? m.stack.name : m.name;
      for (const socket of io.sockets.adapter.rooms.get(SCOPED_ROOM) ?? []) {
        const s = io.sockets.sockets.get(socket);
        if (!s || !mayUseStack(s.data.principal, name)) continue;
        if (m.type === 'changed') s.emit('stack:changed', m.stack);
        else s.emit('stack:removed', { name });
      }
    },
    publishHost: (host, m) => {
      if (m.type === 'changed') io.to(STACKS_ROOM).emit('stack:changed', { ...m.stack, host });
      else io.to(STACKS_ROOM).emit('stack:removed', { name: m.name, host });
    },
    close: () =>
      new Promise<void>((resolve) => {
        stopListening();
        stopUsers();
        stopTokens();
        io.disconnectSockets(true);
        void io.close(() => resolve());
        log.debug('realtime closed');
      }),
  };
}
