import { onBeforeUnmount, ref, shallowRef } from 'vue';
import type { LogFilterFields, LogLine, LogsBatch } from '../../../common/logs';
import { getSocket, request } from '../api/socket';
import { LogWindow } from '../components/logs/log-window';
import { fromHost, LOCAL_HOST } from '../lib/stack-ref';

export interface LogTargetRef {
  /** The host of the stack (subscription ids are each host's own). */
  host: string;
  stack: string;
  service?: string;
  container?: string;
}

const BACKLOG = 500;
const OLDER_PAGE = 500;

/**
 * One live log subscription and its capped window. Batches are applied once per animation frame;
 * while paused they wait (counted) and apply on resume. A reconnect resubscribes from the newest
 * line shown. Unsubscribes on unmount.
 */
export function useLogStream(cap = 10_000) {
  const win = new LogWindow(cap);
  const version = ref(0);
  const paused = ref(false);
  const waiting = ref(0);
  const dropped = ref(0);
  const error = ref<string | null>(null);
  const loadingOlder = ref(false);
  const complete = ref(false);
  const target = shallowRef<LogTargetRef | null>(null);
  /** performance.now() when the first batch was on the page (for the bench). */
  const firstLinesAt = ref<number | null>(null);
  let id: string | null = null;
  let queue: LogLine[] = [];
  let held: LogLine[] = [];
  let frame = 0;
  let resumeAfter = '';
  let generation = 0;
  const onAppend = new Set<() => void>();

  const flush = () => {
    frame = 0;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    win.append(batch);
    firstLinesAt.value ??= performance.now();
    version.value++;
    for (const fn of onAppend) fn();
  };
  const schedule = () => {
    if (frame) return;
    frame =
      typeof requestAnimationFrame === 'function'
        ? requestAnimationFrame(flush)
        : (setTimeout(flush, 16) as unknown as number);
  };

  // Batches that arrive while a subscribe waits for its ack may be that subscription's first.
  let early: LogsBatch[] | null = null;
  const onLines = (b: LogsBatch) => {
    // Subscription ids are each host's own: a batch of another host is never this one's.
    if (!fromHost(b, target.value?.host ?? LOCAL_HOST)) return;
    if (b.id !== id) {
      if (early && early.length < 100) early.push(b);
      return;
    }
    if (b.dropped) dropped.value += b.dropped;
    const lines = resumeAfter ? b.lines.filter((l) => l.ts > resumeAfter) : b.lines;
    if (paused.value) {
      held.push(...lines);
      waiting.value += lines.length;
      // The paused view keeps counting, but holds no more than the window could show.
      if (held.length > cap) held = held.slice(held.length - cap);
      return;
    }
    queue.push(...lines);
    schedule();
  };

  async function subscribe(since?: string): Promise<void> {
    const t = target.value;
    if (!t) return;
    const gen = ++generation;
    error.value = null;
    try {
      const payload = { ...t, ...(since ? { since } : { tail: BACKLOG }) };
      early = [];
      const res = await request('logs:subscribe', payload);
      if (gen !== generation) {
        getSocket().emit('logs:unsubscribe', { id: res.id, host: t.host });
        return;
      }
      id = res.id;
      const before = early;
      early = null;
      for (const b of before) if (b.id === id) onLines(b);
    } catch (err) {
      early = null;
      error.value = err instanceof Error ? err.message : String(err);
    }
  }

  const onReconnect = () => {
    if (!target.value) return;
    resumeAfter = win.newest?.ts ?? '';
    void subscribe(resumeAfter || undefined);
  };

  async function start(t: LogTargetRef): Promise<void> {
    stop();
    target.value = t;
    win.clear();
    complete.value = false;
    waiting.value = 0;
    dropped.value = 0;
    resumeAfter = '';
    held = [];
    queue = [];
    version.value++;
    const socket = getSocket();
    socket.on('logs:lines', onLines);
    socket.on('connect', onReconnect);
    await subscribe();
  }

  function stop(): void {
    const socket = getSocket();
    socket.off('logs:lines', onLines);
    socket.off('connect', onReconnect);
    if (id) socket.emit('logs:unsubscribe', { id, host: target.value?.host ?? LOCAL_HOST });
    id = null;
    generation++;
    target.value = null;
  }

  function pause(): void {
    paused.value = true;
  }
  function resume(): void {
    paused.value = false;
    queue.push(...held);
    held = [];
    waiting.value = 0;
    schedule();
  }

  /** Older lines before the oldest shown; with a filter, only matches (searched back by the server). */
  async function loadOlder(filter?: LogFilterFields): Promise<number> {
    const t = target.value;
    if (!t || loadingOlder.value || complete.value) return 0;
    loadingOlder.value = true;
    try {
      const reply = await request(
        'logs:history',
        { ...t, ...filter, ...(win.oldest ? { until: win.oldest.ts } : {}), limit: OLDER_PAGE },
        60_000,
      );
      if (reply.complete) complete.value = true;
      const n = win.prepend(reply.lines);
      version.value++;
      return n;
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
      return 0;
    } finally {
      loadingOlder.value = false;
    }
  }

  onBeforeUnmount(() => {
    stop();
    if (frame && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(frame);
  });

  return {
    win,
    version,
    paused,
    waiting,
    dropped,
    error,
    loadingOlder,
    complete,
    firstLinesAt,
    onAppend,
    start,
    stop,
    pause,
    resume,
    loadOlder,
  };
}
