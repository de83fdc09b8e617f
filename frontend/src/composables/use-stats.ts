import { onBeforeUnmount, shallowRef, watch, type ShallowRef } from 'vue';
import type { HostStatsSample, StackStatsSample, StatsSampleEvent } from '../../../common/stats';
import { getSocket, request } from '../api/socket';

/** 5 minutes of 2 s samples. */
const KEEP = 150;

type Target = { stack: string } | { scope: 'host' };
type SampleOf<T extends Target> = T extends { stack: string } ? StackStatsSample : HostStatsSample;

export interface StatsView<S> {
  samples: ShallowRef<S[]>;
  /** The host's cores: cpuPercent / cpus is the share of the host. */
  cpus: ShallowRef<number>;
  error: ShallowRef<string | null>;
}

/**
 * Watches a stack or the host while the calling component lives (and `target` is not null): the
 * server's history at once, then a sample every 2 s. Unmounting or a new target unsubscribes,
 * so Berth stops sampling when nobody looks; a reconnect subscribes again.
 */
export function useStats<T extends Target>(target: () => T | null): StatsView<SampleOf<T>> {
  const samples = shallowRef<SampleOf<T>[]>([]);
  const cpus = shallowRef(1);
  const error = shallowRef<string | null>(null);
  const socket = getSocket();
  let id: string | null = null;
  let generation = 0;

  const onSample = (e: StatsSampleEvent) => {
    if (e.id !== id) return;
    const { id: _id, ...sample } = e;
    const next = [...samples.value, sample as SampleOf<T>];
    samples.value = next.length > KEEP ? next.slice(next.length - KEEP) : next;
  };

  function stop(): void {
    generation++;
    if (id && socket.connected) socket.emit('stats:unsubscribe', { id });
    id = null;
  }

  async function start(): Promise<void> {
    stop();
    const t = target();
    if (!t) {
      samples.value = [];
      return;
    }
    const mine = generation;
    try {
      const reply = await request('stats:subscribe', t);
      if (mine !== generation) {
        socket.emit('stats:unsubscribe', { id: reply.id });
        return;
      }
      id = reply.id;
      cpus.value = reply.cpus;
      samples.value = reply.history as SampleOf<T>[];
      error.value = null;
    } catch (err) {
      if (mine === generation) error.value = err instanceof Error ? err.message : String(err);
    }
  }

  // Subscriptions live on the server side of one connection: a new connection needs a new one.
  const onConnect = () => void start();
  socket.on('stats:sample', onSample);
  socket.on('connect', onConnect);
  watch(
    () => JSON.stringify(target()),
    () => void start(),
    { immediate: true },
  );
  onBeforeUnmount(() => {
    stop();
    socket.off('stats:sample', onSample);
    socket.off('connect', onConnect);
  });
  return { samples, cpus, error };
}
