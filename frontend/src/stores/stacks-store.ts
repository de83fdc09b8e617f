import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { StackSummary } from '../../../common/stack';
import { getSocket } from '../api/socket';
import { hostOf, LOCAL_HOST, stackKey, type StackRef } from '../lib/stack-ref';
import { useHealthStore } from './health-store';

/** With no stack to tell, how often /api/health is asked again while it says the engine is down. */
const EMPTY_RECHECK_MS = 10_000;

const byHostThenName = (a: StackSummary, b: StackSummary) =>
  a.host === b.host
    ? a.name.localeCompare(b.name)
    : a.host === LOCAL_HOST
      ? -1
      : b.host === LOCAL_HOST
        ? 1
        : a.host.localeCompare(b.host);

/**
 * Every stack's summary on every host, live from the socket: the full list on connect, then
 * changes. A stack is `{host, name}`: the map is keyed by stackKey().
 */
export const useStacksStore = defineStore('stacks', () => {
  const byKey = ref(new Map<string, StackSummary>());
  const connected = ref(false);
  const loaded = ref(false);
  let started = false;

  const all = computed(() => [...byKey.value.values()].sort(byHostThenName));
  const managed = computed(() => all.value.filter((s) => s.managed));
  const unmanaged = computed(() => all.value.filter((s) => !s.managed));
  /** The local engine's stacks (the dashboard's figures and the engine banner are about it). */
  const local = computed(() => all.value.filter((s) => s.host === LOCAL_HOST));
  const health = useHealthStore();
  /** What /api/health said, asked only when there is no stack whose status could tell. */
  const healthSaysDown = ref(false);
  let healthTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The local engine is unreachable when every local stack reads unknown, or, with none, health
   * says so. Another host's stacks read unknown while it is offline: that is its own banner.
   */
  const engineDown = computed(() =>
    local.value.length > 0 ? local.value.every((s) => s.status === 'unknown') : healthSaysDown.value,
  );

  function get(ref: StackRef): StackSummary | undefined {
    return byKey.value.get(stackKey(ref));
  }

  async function checkHealth(): Promise<void> {
    clearTimeout(healthTimer);
    if (!started || local.value.length > 0) return;
    await health.refresh();
    // With no answer (Berth itself unreachable) the reconnect banner speaks instead.
    if (health.error === null && health.health) healthSaysDown.value = !health.health.docker.reachable;
    if (started && healthSaysDown.value) healthTimer = setTimeout(() => void checkHealth(), EMPTY_RECHECK_MS);
  }

  function start(): void {
    if (started) return;
    started = true;
    const socket = getSocket();
    socket.on('connect', () => (connected.value = true));
    socket.on('disconnect', () => (connected.value = false));
    socket.on('stacks:list', (list) => {
      byKey.value = new Map(list.map((s) => [stackKey(s), s]));
      loaded.value = true;
      void checkHealth();
    });
    socket.on('stack:changed', (s) => {
      const next = new Map(byKey.value);
      next.set(stackKey(s), s);
      byKey.value = next;
    });
    socket.on('stack:removed', (m) => {
      const next = new Map(byKey.value);
      next.delete(stackKey({ host: hostOf(m), name: m.name }));
      byKey.value = next;
    });
    // A removed host's stacks leave the list with it.
    socket.on('host:changed', (h) => {
      if (!h.removed) return;
      byKey.value = new Map([...byKey.value].filter(([, s]) => s.host !== h.id));
    });
    if (socket.connected) connected.value = true;
  }

  /** After logout: the next login starts a new socket. */
  function stop(): void {
    started = false;
    clearTimeout(healthTimer);
    healthSaysDown.value = false;
    byKey.value = new Map();
    loaded.value = false;
    connected.value = false;
  }

  return { byKey, all, managed, unmanaged, local, engineDown, connected, loaded, get, start, stop };
});
