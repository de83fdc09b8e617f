import { EventEmitter } from 'node:events';
import type { Socket } from 'socket.io';
import { describe, expect, it } from 'vitest';
import type { Ack } from '../../../common/events.js';
import { ROLES } from '../../../common/permissions.js';
import type { Principal } from '../../../server/src/http/principal.js';
import { silentLogger } from '../../../server/src/logger.js';
import { onEvent, type SocketData } from '../../../server/src/realtime/socket-handler.js';

/** Just enough of a socket.io socket for the wrapper: handlers by event, and its data. */
function fakeSocket(principal: Principal) {
  const relayed: Array<{ host: string; event: string; payload: unknown }> = [];
  const audited: Array<[string, string | null, number, string | undefined]> = [];
  const emitter = new EventEmitter();
  const data: SocketData = {
    principal,
    audit: (op, target, status, host) => audited.push([op, target, status, host]),
    relay: (host, event, payload) => {
      relayed.push({ host, event, payload });
      return Promise.resolve({ ok: true, data: { id: 'exec:remote' } });
    },
  };
  const socket = {
    data,
    on: (e: string, fn: (...a: unknown[]) => void) => emitter.on(e, fn),
  } as unknown as Socket;
  const send = (event: string, payload: unknown) =>
    new Promise<Ack<unknown>>((resolve) => emitter.emit(event, payload, resolve));
  return { socket, send, relayed, audited };
}

const admin: Principal = { username: 'ann', permissions: ROLES.admin, via: 'session', sessionId: 's1' };

describe('socket events naming another host', () => {
  it('are checked here, then relayed to that host (the payload without `host`) and audited with it', async () => {
    const { socket, send, relayed, audited } = fakeSocket(admin);
    const local: unknown[] = [];
    onEvent(socket, 'exec:open', (p) => (local.push(p), { id: 'exec:local' }), silentLogger());
    expect(await send('exec:open', { host: 'h_abcdefghij', stack: 'web', service: 'app' })).toEqual({
      ok: true,
      data: { id: 'exec:remote' },
    });
    expect(relayed).toEqual([
      { host: 'h_abcdefghij', event: 'exec:open', payload: { stack: 'web', service: 'app' } },
    ]);
    expect(local).toEqual([]);
    expect(audited).toEqual([['exec:open', 'web', 200, 'h_abcdefghij']]);
    // `local` (or no host) is this Berth.
    expect(await send('exec:open', { host: 'local', stack: 'web', service: 'app' })).toMatchObject({
      ok: true,
      data: { id: 'exec:local' },
    });
    expect(relayed).toHaveLength(1);
  });

  it('are refused before the relay: lacking permission, bad payload, bad host id', async () => {
    const viewer = fakeSocket({ username: 'v', permissions: ROLES.viewer, via: 'session' });
    onEvent(viewer.socket, 'exec:open', () => ({ id: 'x' }), silentLogger());
    expect(
      await viewer.send('exec:open', { host: 'h_abcdefghij', stack: 'web', service: 'app' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    const a = fakeSocket(admin);
    onEvent(a.socket, 'exec:open', () => ({ id: 'x' }), silentLogger());
    expect(await a.send('exec:open', { host: 'nas', stack: 'web', service: 'app' })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST' },
    });
    expect(viewer.relayed.length + a.relayed.length).toBe(0);
  });

  it('do not exist for principals limited to some stacks', async () => {
    const scoped = fakeSocket({ ...admin, scope: ['web'] });
    onEvent(scoped.socket, 'exec:open', () => ({ id: 'x' }), silentLogger());
    expect(
      await scoped.send('exec:open', { host: 'h_abcdefghij', stack: 'web', service: 'app' }),
    ).toMatchObject({
      ok: false,
      error: { code: 'HOST_NOT_FOUND' },
    });
    expect(scoped.relayed).toEqual([]);
  });
});
