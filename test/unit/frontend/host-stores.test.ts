import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostSummary } from '../../../common/hosts.js';
import type { StackSummary } from '../../../common/stack.js';

/** The app's socket, played by the test: `serve` delivers a server event. */
const fake = vi.hoisted(() => {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  return {
    connected: true,
    listeners,
    on(event: string, h: (payload: unknown) => void) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)?.add(h);
      return this;
    },
    off(event: string, h: (payload: unknown) => void) {
      listeners.get(event)?.delete(h);
      return this;
    },
    serve(event: string, payload?: unknown) {
      for (const h of [...(listeners.get(event) ?? [])]) h(payload);
    },
  };
});
vi.mock('../../../frontend/src/api/socket', () => ({ getSocket: () => fake }));

const hostsReply = vi.hoisted(() => ({ list: [] as unknown[] }));
vi.mock('../../../frontend/src/api/http', () => ({
  call: (id: string) =>
    id === 'listHosts' ? Promise.resolve(hostsReply.list) : Promise.reject(new Error(id)),
}));

const { useStacksStore } = await import('../../../frontend/src/stores/stacks-store.js');
const { useHostsStore } = await import('../../../frontend/src/stores/hosts-store.js');

const NAS = 'h_abcdefghij';
const summary = (host: string, name: string, status: StackSummary['status'] = 'running'): StackSummary => ({
  host,
  name,
  managed: true,
  composeFile: 'compose.yaml',
  projectName: name,
  conflicts: [],
  status,
  health: 'none',
  services: { total: 1, running: status === 'running' ? 1 : 0 },
  updatedAt: null,
  updates: 0,
  target: 'compose',
});
const host = (id: string, name: string, online = true): HostSummary => ({
  id,
  name,
  online,
  version: '0.1.0',
  lastSeen: online ? new Date().toISOString() : '2026-12-02T00:00:00Z',
  address: null,
});

beforeEach(() => {
  setActivePinia(createPinia());
  fake.listeners.clear();
});

describe('stacks store keyed by {host, name}', () => {
  it('keeps stacks of the same name on two hosts apart: list, change, removal', () => {
    const store = useStacksStore();
    store.start();
    fake.serve('stacks:list', [summary('local', 'web'), summary(NAS, 'web'), summary(NAS, 'db')]);
    expect(store.all.map((s) => `${s.host}/${s.name}`)).toEqual(['local/web', `${NAS}/db`, `${NAS}/web`]);

    fake.serve('stack:changed', summary(NAS, 'web', 'exited'));
    expect(store.get({ host: NAS, name: 'web' })?.status).toBe('exited');
    expect(store.get({ host: 'local', name: 'web' })?.status).toBe('running');

    // No host field: the local host's stack.
    fake.serve('stack:removed', { name: 'web' });
    expect(store.get({ host: 'local', name: 'web' })).toBeUndefined();
    expect(store.get({ host: NAS, name: 'web' })).toBeDefined();
    fake.serve('stack:removed', { name: 'db', host: NAS });
    expect(store.all.map((s) => `${s.host}/${s.name}`)).toEqual([`${NAS}/web`]);
  });

  it("a removed host's stacks leave the list", () => {
    const store = useStacksStore();
    store.start();
    fake.serve('stacks:list', [summary('local', 'web'), summary(NAS, 'web'), summary(NAS, 'db')]);
    fake.serve('host:changed', { ...host(NAS, 'nas', false) });
    expect(store.all).toHaveLength(3);
    fake.serve('host:changed', { ...host(NAS, 'nas', false), removed: true });
    expect(store.all.map((s) => `${s.host}/${s.name}`)).toEqual(['local/web']);
  });

  it('an offline host (its stacks unknown) is not the local engine being down', () => {
    const store = useStacksStore();
    store.start();
    fake.serve('stacks:list', [
      summary('local', 'web'),
      summary(NAS, 'a', 'unknown'),
      summary(NAS, 'b', 'unknown'),
    ]);
    expect(store.engineDown).toBe(false);
    fake.serve('stack:changed', summary('local', 'web', 'unknown'));
    expect(store.engineDown).toBe(true);
  });
});

describe('hosts store', () => {
  it('reads the list, then applies host:changed (online, offline, added, removed)', async () => {
    hostsReply.list = [host('local', 'hub'), host(NAS, 'nas')];
    const hosts = useHostsStore();
    hosts.start();
    await vi.waitFor(() => expect(hosts.list).toHaveLength(2));
    expect(hosts.many).toBe(true);
    expect(hosts.isOnline(NAS)).toBe(true);

    fake.serve('host:changed', host(NAS, 'nas', false));
    expect(hosts.isOnline(NAS)).toBe(false);
    expect(hosts.list.map((h) => h.id)).toEqual(['local', NAS]);

    fake.serve('host:changed', host('h_bcdefghijk', 'pi'));
    expect(hosts.nameOf('h_bcdefghijk')).toBe('pi');

    fake.serve('host:changed', { ...host(NAS, 'nas', false), removed: true });
    expect(hosts.list.map((h) => h.id)).toEqual(['local', 'h_bcdefghijk']);
    // A host nobody listed is not called offline; local never is.
    expect(hosts.isOnline(NAS)).toBe(true);
    expect(hosts.isOnline('local')).toBe(true);

    hosts.stop();
    expect(hosts.list).toEqual([]);
    expect(fake.listeners.get('host:changed')?.size ?? 0).toBe(0);
  });

  it('reads the list again on every connect', async () => {
    hostsReply.list = [host('local', 'hub')];
    const hosts = useHostsStore();
    hosts.start();
    await vi.waitFor(() => expect(hosts.list).toHaveLength(1));
    hostsReply.list = [host('local', 'hub'), host(NAS, 'nas', false)];
    fake.serve('connect');
    await vi.waitFor(() => expect(hosts.list).toHaveLength(2));
    expect(hosts.isOnline(NAS)).toBe(false);
    hosts.stop();
  });
});
