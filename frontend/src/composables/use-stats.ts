import { onBeforeUnmount, shallowRef, watch, type ShallowRef } from 'vue';
import type { HostStatsSample, StackStatsSample, StatsSampleEvent } from '../../../common/stats';
import { getSocket, request } from '../api/socket';
import { fromHost, LOCAL_HOST } from '../lib/stack-ref';

/** 5 minutes of 2 s samples. */
const KEEP = 150;

/** A stack or a host's figures; `host` is the host asked (absent: `local`). */
type Target = { stack: string; host?: string } | { scope: 'host'; host?: string };
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
  /** The host of the subscription: ids are each host's own. */
  let idHost: string = LOCAL_HOST;
  let generation = 0;

  const onSample = (e: StatsSampleEvent) => {
    if (e.id !== id || !fromHost(e, idHost)) return;
    const { id: _id, host: _host, ...sample } = e;
    const next = [...samples.value, sample as SampleOf<T>];
    samples.value = next.length > KEEP ? next.slice(next.length - KEEP) : next;
  };

  function stop(): void {
    generation++;
    if (id && socket.connected) socket.emit('stats:unsubscribe', { id, host: idHost });
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
    const host = t.host ?? LOCAL_HOST;
    try {
      const reply = await request('stats:subscribe', { ...t, host });
      if (mine !== generation) {
        socket.emit('stats:unsubscribe', { id: reply.id, host });
        return;
      }
      id = reply.id;
      idHost = host;
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
