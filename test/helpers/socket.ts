import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../common/events.js';
import type { StackSummary } from '../../common/stack.js';
import { ADMIN, type TestBerth } from './berth.js';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Logs in over HTTP and returns the session cookie. */
export async function sessionCookie(t: TestBerth): Promise<string> {
  const res = await t.anon().post('/api/auth/login').send(ADMIN).expect(200);
  const cookie = res.headers['set-cookie'];
  const first = Array.isArray(cookie) ? cookie[0] : cookie;
  return String(first).split(';')[0] ?? '';
}

/** A client as a browser on Berth's pages is: its Origin is Berth's (override it to test refusals). */
export function connect(url: string, headers: Record<string, string> = {}): ClientSocket {
  return io(url, {
    transports: ['websocket'],
    extraHeaders: { origin: url, ...headers },
    reconnection: false,
    forceNew: true,
  });
}

/** Resolves with the connect_error message, or 'connected'. */
export function connectOutcome(socket: ClientSocket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

/** Keeps the latest summary of every stack a client has been told about. */
export class StackWatch {
  readonly stacks = new Map<string, StackSummary>();
  readonly messages: Array<{ event: string; name: string; status?: string }> = [];
  listed = false;

  constructor(readonly socket: ClientSocket) {
    socket.on('stacks:list', (list) => {
      this.listed = true;
      this.stacks.clear();
      for (const s of list) this.stacks.set(s.name, s);
    });
    socket.on('stack:changed', (s) => {
      this.messages.push({ event: 'changed', name: s.name, status: s.status });
      this.stacks.set(s.name, s);
    });
    socket.on('stack:removed', ({ name }) => {
      this.messages.push({ event: 'removed', name });
      this.stacks.delete(name);
    });
  }

  status(name: string): string | undefined {
    return this.stacks.get(name)?.status;
  }
}
