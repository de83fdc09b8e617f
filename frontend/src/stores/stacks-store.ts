import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { StackSummary } from '../../../common/stack';
import { getSocket } from '../api/socket';

/** Every stack's summary, live from the socket: the full list on connect, then changes. */
export const useStacksStore = defineStore('stacks', () => {
  const byName = ref(new Map<string, StackSummary>());
  const connected = ref(false);
  const loaded = ref(false);
  let started = false;

  const all = computed(() => [...byName.value.values()].sort((a, b) => a.name.localeCompare(b.name)));
  const managed = computed(() => all.value.filter((s) => s.managed));
  const unmanaged = computed(() => all.value.filter((s) => !s.managed));
  /** The engine is unreachable when every known stack reads unknown (and there is one). */
  const engineDown = computed(() => all.value.length > 0 && all.value.every((s) => s.status === 'unknown'));

  function start(): void {
    if (started) return;
    started = true;
    const socket = getSocket();
    socket.on('connect', () => (connected.value = true));
    socket.on('disconnect', () => (connected.value = false));
    socket.on('stacks:list', (list) => {
      byName.value = new Map(list.map((s) => [s.name, s]));
      loaded.value = true;
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
    byName.value = new Map();
    loaded.value = false;
    connected.value = false;
  }

  return { byName, all, managed, unmanaged, engineDown, connected, loaded, start, stop };
});
