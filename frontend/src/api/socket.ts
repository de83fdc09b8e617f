import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, ServerToClientEvents } from '../../../common/events';
import { ApiRequestError, call, notifyUnauthenticated } from './http';

export type BerthSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: BerthSocket | null = null;

/**
 * The one socket of the app, same origin, authenticated by the session cookie. Created on first
 * use (after login); socket.io reconnects on its own, and `stacks:list` arrives on every connect.
 */
export function getSocket(): BerthSocket {
  if (socket) return socket;
  const s: BerthSocket = io({ transports: ['websocket', 'polling'], withCredentials: true });
  // The server ends a socket whose session ended (logout elsewhere, password change, expiry) and
  // socket.io does not reconnect after that: ask whether the session lives, then log in or go on.
  s.on('disconnect', (reason) => {
    if (reason !== 'io server disconnect') return;
    void call('getAuthStatus').then(
      (status) => (status.user ? s.connect() : notifyUnauthenticated()),
      () => s.connect(),
    );
  });
  s.on('connect_error', (err) => {
    if (err.message === 'UNAUTHENTICATED') notifyUnauthenticated();
  });
  socket = s;
  return s;
}

/** Closes the socket (logout); the next getSocket() opens a new one with the new session. */
export function closeSocket(): void {
  socket?.disconnect();
  socket = null;
}

type AckData<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends
  ((ack: Ack<infer T>) => void) | undefined
  ? T
  : never;

/** Emits an event with an ack and resolves with its data, or throws the server's error. */
export async function request<E extends keyof ClientToServerEvents>(
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
  timeoutMs = 10_000,
): Promise<AckData<E>> {
  const s = getSocket() as unknown as Socket;
  let ack: Ack<AckData<E>>;
  try {
    ack = (await s.timeout(timeoutMs).emitWithAck(event, payload)) as Ack<AckData<E>>;
  } catch {
    throw new ApiRequestError(0, 'TIMEOUT', `Berth did not answer "${event}"`);
  }
  if (!ack.ok) throw new ApiRequestError(0, ack.error.code, ack.error.message);
  return ack.data;
}
