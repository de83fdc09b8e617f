// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';

/** The app's socket module, replaced: the test answers requests and plays server events. */
const fake = vi.hoisted(() => {
  type Handler = (payload?: unknown) => void;
  const listeners = new Map<string, Set<Handler>>();
  const emitted: Array<{ event: string; payload: unknown }> = [];
  const requests: Array<{ event: string; payload: Record<string, unknown>; resolve: (r: unknown) => void }> =
    [];
  return {
    listeners,
    emitted,
    requests,
    socket: {
      connected: true,
      on(event: string, handler: Handler) {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event)?.add(handler);
      },
      off(event: string, handler: Handler) {
        listeners.get(event)?.delete(handler);
      },
      emit(event: string, payload: unknown) {
        emitted.push({ event, payload });
      },
    },
    serve(event: string, payload: unknown) {
      for (const handler of [...(listeners.get(event) ?? [])]) handler(payload);
    },
    emits(event: string) {
      return emitted.filter((e) => e.event === event).map((e) => e.payload);
    },
    reset() {
      listeners.clear();
      emitted.length = 0;
      requests.length = 0;
    },
  };
});

vi.mock('../../../frontend/src/api/socket', () => ({
  getSocket: () => fake.socket,
  request: (event: string, payload: Record<string, unknown>) =>
    new Promise((resolve) => fake.requests.push({ event, payload, resolve })),
}));

const { useStats } = await import('../../../frontend/src/composables/use-stats.js');
const { useLogStream } = await import('../../../frontend/src/composables/use-log-stream.js');

const NAS = 'h_abcdefghij';
afterEach(() => fake.reset());

/** Runs a composable inside a mounted component (it unsubscribes on unmount). */
function withSetup<T>(setup: () => T): { result: T; unmount: () => void } {
  let result!: T;
  const wrapper = mount(
    defineComponent({
      setup() {
        result = setup();
        return () => h('div');
      },
    }),
  );
  return { result, unmount: () => wrapper.unmount() };
}

const line = (text: string, ts: string) => ({
  ts,
  container: 'web-1',
  service: 'web',
  stream: 'stdout',
  text,
});

describe('live streams of another host are matched by host and id', () => {
  it('stats: subscribes on the host, takes only its samples, unsubscribes there', async () => {
    const { result, unmount } = withSetup(() => useStats(() => ({ stack: 'web', host: NAS })));
    expect(fake.requests.map((r) => [r.event, r.payload])).toEqual([
      ['stats:subscribe', { stack: 'web', host: NAS }],
    ]);
    fake.requests[0]?.resolve({ id: 's1', scope: 'stack', cpus: 2, history: [] });
    await flushPromises();

    // The same subscription id on the local host (no host field) or a third host is not this one.
    fake.serve('stats:sample', { id: 's1', at: 1, containers: [] });
    fake.serve('stats:sample', { id: 's1', host: 'h_zzzzzzzzzz', at: 2, containers: [] });
    fake.serve('stats:sample', { id: 's1', host: NAS, at: 3, containers: [] });
    expect(result.samples.value.map((s) => s.at)).toEqual([3]);
    expect(result.samples.value[0]).not.toHaveProperty('host');

    unmount();
    expect(fake.emits('stats:unsubscribe')).toEqual([{ id: 's1', host: NAS }]);
  });

  it('logs: subscribes on the host, takes only its batches (also early ones), unsubscribes there', async () => {
    const { result, unmount } = withSetup(() => useLogStream());
    const started = result.start({ host: NAS, stack: 'web' });
    expect(fake.requests.map((r) => [r.event, r.payload])).toEqual([
      ['logs:subscribe', { host: NAS, stack: 'web', tail: 500 }],
    ]);
    // A batch before the ack: kept for the subscription once its id is known, if it is this host's.
    fake.serve('logs:lines', {
      id: 'l1',
      host: NAS,
      lines: [line('early', '2026-12-02T00:00:01.000000000Z')],
    });
    fake.serve('logs:lines', { id: 'l1', lines: [line('local early', '2026-12-02T00:00:01.500000000Z')] });
    fake.requests[0]?.resolve({ id: 'l1' });
    await started;
    fake.serve('logs:lines', { id: 'l1', lines: [line('local', '2026-12-02T00:00:02.000000000Z')] });
    fake.serve('logs:lines', {
      id: 'l1',
      host: NAS,
      lines: [line('mine', '2026-12-02T00:00:03.000000000Z')],
    });
    await vi.waitFor(() => expect(result.win.newest?.text).toBe('mine'));
    expect(result.win.lines.map((l) => l.text)).toEqual(['early', 'mine']);

    unmount();
    expect(fake.emits('logs:unsubscribe')).toEqual([{ id: 'l1', host: NAS }]);
  });
});
