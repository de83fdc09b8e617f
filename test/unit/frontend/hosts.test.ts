import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HostSummary } from '../../../common/hosts.js';
import { call, hostedUrlOf } from '../../../frontend/src/api/http.js';
import { formatAgo, groupByHost, hostState } from '../../../frontend/src/lib/hosts-format.js';
import { fromHost, hostOf, stackPath } from '../../../frontend/src/lib/stack-ref.js';

const NAS = 'h_abcdefghij';
const PI = 'h_bcdefghijk';
const host = (id: string, name: string, online = true, lastSeen: string | null = null): HostSummary => ({
  id,
  name,
  online,
  version: '0.1.0',
  lastSeen,
  address: null,
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('stack refs in the SPA', () => {
  it('local stacks keep /stacks/<name>; other hosts live under /hosts/<id>/stacks/<name>', () => {
    expect(stackPath({ host: 'local', name: 'web' })).toBe('/stacks/web');
    expect(stackPath({ host: NAS, name: 'web' })).toBe(`/hosts/${NAS}/stacks/web`);
    expect(stackPath({ host: NAS, name: 'apps/My App' }, 'logs')).toBe(
      `/hosts/${NAS}/stacks/apps%2FMy%20App/logs`,
    );
    expect(stackPath({ host: 'local', name: 'web' }, { shell: 'db' })).toBe('/stacks/web/shell/db');
  });

  it('a payload without host is the local host', () => {
    expect(hostOf({})).toBe('local');
    expect(fromHost({ host: undefined }, 'local')).toBe(true);
    expect(fromHost({}, NAS)).toBe(false);
    expect(fromHost({ host: NAS }, NAS)).toBe(true);
    expect(fromHost({ host: NAS }, 'local')).toBe(false);
  });
});

describe('call() with a host', () => {
  function fakeFetch() {
    const seen: Array<{ url: string; method: string; body: unknown }> = [];
    vi.stubGlobal(
      'fetch',
      vi.fn((url: string, init: RequestInit) => {
        seen.push({ url, method: init.method ?? 'GET', body: init.body });
        return Promise.resolve(new Response('{"ok":true}', { status: 200 }));
      }),
    );
    return seen;
  }

  it('sends a hosted operation of another host to its /api/hosts/<id>/... twin, local to the plain route', async () => {
    const seen = fakeFetch();
    await call('runAction', { host: NAS, params: { name: 'web', action: 'up' } });
    await call('runAction', { host: 'local', params: { name: 'web', action: 'up' } });
    await call('runAction', { params: { name: 'web', action: 'up' } });
    await call('getServiceLogs', { host: NAS, params: { name: 'a b', service: 's' }, query: { tail: 5 } });
    await call('listHosts');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      `POST /api/hosts/${NAS}/stacks/web/up`,
      'POST /api/stacks/web/up',
      'POST /api/stacks/web/up',
      `GET /api/hosts/${NAS}/stacks/a%20b/services/s/logs?tail=5`,
      'GET /api/hosts',
    ]);
  });

  it('download links of another host go through its twin too', () => {
    expect(hostedUrlOf('downloadBackup', NAS, { name: 'v', id: 'b1' })).toBe(
      `/api/hosts/${NAS}/volumes/v/backups/b1`,
    );
    expect(hostedUrlOf('downloadLogs', 'local', { name: 'web' }, { tail: 10 })).toBe(
      '/api/stacks/web/logs?tail=10',
    );
  });

  it("carries the hub's HOST_OFFLINE error as a typed error", async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() =>
        Promise.resolve(
          new Response(JSON.stringify({ error: { code: 'HOST_OFFLINE', message: 'host nas is offline' } }), {
            status: 503,
          }),
        ),
      ),
    );
    await expect(call('getStack', { host: NAS, params: { name: 'web' } })).rejects.toMatchObject({
      status: 503,
      code: 'HOST_OFFLINE',
      message: 'host nas is offline',
    });
  });
});

describe('groupByHost', () => {
  const s = (host: string, name: string) => ({ host, name });
  const hosts = [host('local', 'hub'), host(NAS, 'nas'), host(PI, 'pi', false)];

  it("groups in the hosts' order, keeps hosts without stacks, and adds hosts only stacks name", () => {
    const groups = groupByHost([s(NAS, 'b'), s('local', 'a'), s('h_zzzzzzzzzz', 'c'), s(NAS, 'd')], hosts);
    expect(groups.map((g) => [g.id, g.host?.name, g.stacks.map((x) => x.name)])).toEqual([
      ['local', 'hub', ['a']],
      [NAS, 'nas', ['b', 'd']],
      [PI, 'pi', []],
      ['h_zzzzzzzzzz', undefined, ['c']],
    ]);
  });

  it('the filter keeps one host', () => {
    const groups = groupByHost([s(NAS, 'b'), s('local', 'a')], hosts, NAS);
    expect(groups.map((g) => g.id)).toEqual([NAS]);
    expect(groupByHost([s('local', 'a')], [], 'local').map((g) => g.stacks.length)).toEqual([1]);
  });
});

describe('host state', () => {
  const now = Date.parse('2026-12-02T01:00:00Z');
  it('says online, offline with how long ago, or never connected', () => {
    expect(hostState(host(NAS, 'nas'), now)).toEqual({ label: 'online', state: 'online' });
    expect(hostState(host(NAS, 'nas', false, '2026-12-02T00:55:00Z'), now)).toEqual({
      label: 'offline · last seen 5 min ago',
      state: 'offline',
    });
    expect(hostState(host(NAS, 'nas', false, null), now).state).toBe('never');
  });

  it('formats how long ago', () => {
    expect(formatAgo('2026-12-02T00:59:50Z', now)).toBe('10 s ago');
    expect(formatAgo('2026-12-01T22:00:00Z', now)).toBe('3 h ago');
    expect(formatAgo('not a time', now)).toBe('not a time');
  });
});
