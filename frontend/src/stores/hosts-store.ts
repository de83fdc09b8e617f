import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { HostSummary } from '../../../common/hosts';
import type { ServerToClientEvents } from '../../../common/events';
import { call } from '../api/http';
import { getSocket, type BerthSocket } from '../api/socket';
import { LOCAL_HOST } from '../lib/stack-ref';

/**
 * The hosts (`local` first, then the agents) with online, version and last seen: GET /api/hosts
 * on every connect, then each `host:changed` (online, offline, added, removed) applied as it comes.
 */
export const useHostsStore = defineStore('hosts', () => {
  const list = shallowRef<HostSummary[]>([]);
  const error = shallowRef<string | null>(null);
  const byId = computed(() => new Map(list.value.map((h) => [h.id, h])));
  /** Whether there is more than the local host (the UI names hosts only then). */
  const many = computed(() => list.value.length > 1);
  /** A clock for "last seen … ago" (ticks while someone is logged in; no requests). */
  const now = ref(Date.now());
  let clock: ReturnType<typeof setInterval> | undefined;
  let started = false;
  /** The socket listened to (after logout getSocket() would open a new one). */
  let socket: BerthSocket | null = null;

  async function refresh(): Promise<void> {
    try {
      const hosts = await call('listHosts');
      if (started) list.value = hosts;
      error.value = null;
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    }
  }

  /** The name to show for a host id (the id itself until the list knows it). */
  function nameOf(id: string): string {
    return byId.value.get(id)?.name ?? id;
  }

  /** False only when the hub says the host is offline (a host not listed yet is not called offline). */
  function isOnline(id: string): boolean {
    return id === LOCAL_HOST || (byId.value.get(id)?.online ?? true);
  }

  const onConnect = () => void refresh();
  const onChanged: ServerToClientEvents['host:changed'] = ({ removed, ...host }) => {
    const rest = list.value.filter((h) => h.id !== host.id);
    if (removed) list.value = rest;
    else if (rest.length === list.value.length) list.value = [...rest, host];
    else list.value = list.value.map((h) => (h.id === host.id ? host : h));
  };

  function start(): void {
    if (started) return;
    started = true;
    socket = getSocket();
    socket.on('connect', onConnect);
    socket.on('host:changed', onChanged);
    clock = setInterval(() => (now.value = Date.now()), 10_000);
    void refresh();
  }

  function stop(): void {
    started = false;
    clearInterval(clock);
    socket?.off('connect', onConnect);
    socket?.off('host:changed', onChanged);
    socket = null;
    list.value = [];
  }

  return { list, error, byId, many, now, refresh, nameOf, isOnline, start, stop };
});
