import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { StackSummary } from '../../../common/stack';
import { getSocket } from '../api/socket';
import { useHealthStore } from './health-store';

/** With no stack to tell, how often /api/health is asked again while it says the engine is down. */
const EMPTY_RECHECK_MS = 10_000;

/** Every stack's summary, live from the socket: the full list on connect, then changes. */
export const useStacksStore = defineStore('stacks', () => {
  const byName = ref(new Map<string, StackSummary>());
  const connected = ref(false);
  const loaded = ref(false);
  let started = false;

  const all = computed(() => [...byName.value.values()].sort((a, b) => a.name.localeCompare(b.name)));
  const managed = computed(() => all.value.filter((s) => s.managed));
  const unmanaged = computed(() => all.value.filter((s) => !s.managed));
  const health = useHealthStore();
  /** What /api/health said, asked only when there is no stack whose status could tell. */
  const healthSaysDown = ref(false);
  let healthTimer: ReturnType<typeof setTimeout> | undefined;
  /** The engine is unreachable when every known stack reads unknown, or, with none, health says so. */
  const engineDown = computed(() =>
    all.value.length > 0 ? all.value.every((s) => s.status === 'unknown') : healthSaysDown.value,
  );

  async function checkHealth(): Promise<void> {
    clearTimeout(healthTimer);
    if (!started || all.value.length > 0) return;
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
      byName.value = new Map(list.map((s) => [s.name, s]));
      loaded.value = true;
      void checkHealth();
    });
    socket.on('stack:changed', (s) => {
      const next = new Map(byName.value);
      next.set(s.name, s);
      byName.value = next;
    });
    socket.on('stack:removed', ({ name }) => {
      const next = new Map(byName.value);
      next.delete(name);
      byName.value = next;
    });
    if (socket.connected) connected.value = true;
  }

  /** After logout: the next login starts a new socket. */
  function stop(): void {
    started = false;
    clearTimeout(healthTimer);
    healthSaysDown.value = false;
    byName.value = new Map();
    loaded.value = false;
    connected.value = false;
  }

  return { byName, all, managed, unmanaged, engineDown, connected, loaded, start, stop };
});
