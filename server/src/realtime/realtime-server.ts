import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { RequestHandler } from 'express';
import type { SessionData } from 'express-session';
import { Server, type Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../common/events.js';
import type { Logger } from '../logger.js';
import type { FeedMessage } from '../stacks/stack-feed.js';
import type { StackService } from '../stacks/stack-service.js';

export type BerthSocket = Socket<ClientToServerEvents, ServerToClientEvents>;
type SessionRequest = IncomingMessage & { session?: Partial<SessionData> };

const STACKS_ROOM = 'stacks';

/** Same-origin only: a browser's Origin must name the host it connected to. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true; // not a browser (CLI clients, tests); the session still decides
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  const forwarded = req.headers['x-forwarded-host'];
  return (
    host === req.headers.host || (typeof forwarded === 'string' && host === forwarded.split(',')[0]?.trim())
  );
}

export interface Realtime {
  io: Server<ClientToServerEvents, ServerToClientEvents>;
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
  register?: (socket: BerthSocket) => void;
}): Realtime {
  const log = deps.log.child({ module: 'realtime' });
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(deps.server, {
    serveClient: false,
    allowRequest: (req, cb) => cb(sameOrigin(req) ? null : 'origin not allowed', sameOrigin(req)),
  });
  io.engine.use(deps.sessionMiddleware);
  io.use((socket, next) => {
    const user = (socket.request as SessionRequest).session?.user;
    if (user) next();
    else next(new Error('UNAUTHENTICATED'));
  });

  io.on('connection', (socket) => {
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
        io.disconnectSockets(true);
        void io.close(() => resolve());
        log.debug('realtime closed');
      }),
  };
}
