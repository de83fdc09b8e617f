// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Component } from 'vue';

/** The app's socket module, replaced: a fake socket the test plays the server on. */
const fake = vi.hoisted(() => {
  type Handler = (payload?: unknown) => void;
  const listeners = new Map<string, Set<Handler>>();
  const emitted: Array<{ event: string; payload: unknown }> = [];
  const joins: Array<{ id: string; resolve: (r: unknown) => void; reject: (e: Error) => void }> = [];
  const socket = {
    connected: true,
    on(event: string, handler: Handler) {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)?.add(handler);
      return socket;
    },
    off(event: string, handler: Handler) {
      listeners.get(event)?.delete(handler);
      return socket;
    },
    emit(event: string, payload: unknown) {
      emitted.push({ event, payload });
      return socket;
    },
  };
  return {
    listeners,
    emitted,
    joins,
    socket,
    serve(event: string, payload?: unknown) {
      for (const handler of [...(listeners.get(event) ?? [])]) handler(payload);
    },
    listenerCount() {
      return [...listeners.values()].reduce((n, set) => n + set.size, 0);
    },
    emits(event: string) {
      return emitted.filter((e) => e.event === event).map((e) => e.payload);
    },
    reset() {
      listeners.clear();
      emitted.length = 0;
      joins.length = 0;
    },
  };
});

vi.mock('../../../frontend/src/api/socket', () => ({
  getSocket: () => fake.socket,
  request: (_event: string, payload: { id: string }) =>
    new Promise((resolve, reject) => fake.joins.push({ id: payload.id, resolve, reject })),
}));

// Imported by a computed path so the root tsconfig (no DOM, no .vue) can type-check this file too.
const VIEW_PATH = '../../../frontend/src/components/terminal/TerminalView.vue';
let TerminalView: Component;
beforeAll(async () => {
  TerminalView = ((await import(/* @vite-ignore */ VIEW_PATH)) as { default: Component }).default;
});

let wrapper: VueWrapper | null = null;
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  fake.reset();
});

function mountView(props: Record<string, unknown>): VueWrapper {
  wrapper = mount(TerminalView, { props, attachTo: 'body' });
  return wrapper;
}

/** Lets the join's continuation and xterm's write and render run. */
async function settle(): Promise<void> {
  await flushPromises();
  await new Promise((resolve) => setTimeout(resolve, 30));
}

async function ack(buffer: string, running = true, exitCode: number | null = null): Promise<void> {
  fake.joins.shift()?.resolve({ buffer, running, exitCode });
  await settle();
}

const screen = (w: VueWrapper): string => w.find('.xterm-rows').text();

describe('TerminalView', () => {
  it('joins the terminal and shows its buffer, then live output of that terminal only', async () => {
    const w = mountView({ terminalId: 'stack:web' });
    await settle();
    expect(fake.joins.map((j) => j.id)).toEqual(['stack:web']);
    await ack('hello\r\n');
    fake.serve('terminal:output', { id: 'stack:other', data: 'nope\r\n' });
    fake.serve('terminal:output', { id: 'stack:web', data: 'world\r\n' });
    await settle();
    expect(screen(w)).toContain('hello');
    expect(screen(w)).toContain('world');
    expect(screen(w)).not.toContain('nope');
  });

  it('shows the placeholder without a terminal and switches terminals', async () => {
    const w = mountView({ terminalId: null, placeholder: 'Nothing ran yet.' });
    await settle();
    expect(screen(w)).toContain('Nothing ran yet.');
    expect(fake.joins).toHaveLength(0);
    await w.setProps({ terminalId: 'a' });
    await ack('from a');
    expect(screen(w)).toContain('from a');
    await w.setProps({ terminalId: 'b' });
    expect(fake.emits('terminal:leave')).toEqual([{ id: 'a', host: 'local' }]);
    await ack('from b');
    expect(screen(w)).toContain('from b');
    expect(screen(w)).not.toContain('from a');
  });

  it('sends Ctrl+C (no selection) and pastes of an interactive terminal', async () => {
    const w = mountView({ terminalId: 'exec:1', interactive: true });
    await settle();
    await ack('$ ');
    const textarea = w.find('textarea');
    await textarea.trigger('keydown', { key: 'c', keyCode: 67, ctrlKey: true });
    // Ctrl+V is left to the browser's paste event (no ^V to the process).
    await textarea.trigger('keydown', { key: 'v', keyCode: 86, ctrlKey: true });
    await textarea.trigger('paste', { clipboardData: { getData: () => 'ls -la' } });
    const inputs = fake.emits('terminal:input') as Array<{ id: string; data: string }>;
    expect(inputs.map((i) => i.id)).toEqual(['exec:1', 'exec:1']);
    expect(inputs[0]?.data).toBe('\x03');
    expect(inputs[1]?.data).toContain('ls -la');
  });

  it('sends nothing from a read-only terminal', async () => {
    const w = mountView({ terminalId: 'stack:web' });
    await settle();
    await ack('output');
    const textarea = w.find('textarea');
    await textarea.trigger('keydown', { key: 'c', keyCode: 67, ctrlKey: true });
    await textarea.trigger('paste', { clipboardData: { getData: () => 'ls' } });
    expect(fake.emits('terminal:input')).toEqual([]);
    expect(fake.emits('terminal:resize')).toEqual([]);
  });

  it('emits exit and error', async () => {
    const w = mountView({ terminalId: 'exec:1', interactive: true });
    await settle();
    await ack('$ ');
    fake.serve('terminal:exit', { id: 'exec:1', exitCode: 130 });
    await settle();
    expect(w.emitted('exit')).toEqual([[130]]);
    expect(screen(w)).toContain('[exited with code 130]');

    await w.setProps({ terminalId: 'exec:gone' });
    fake.joins.shift()?.reject(new Error('no terminal "exec:gone"'));
    await settle();
    expect(w.emitted('error')).toEqual([['no terminal "exec:gone"']]);
  });

  it('follows the page theme when data-theme changes', async () => {
    const w = mountView({ terminalId: null });
    await settle();
    const root = w.element.ownerDocument.documentElement;
    root.style.setProperty('--bg', '#123456');
    root.setAttribute('data-theme', 'dark');
    await settle();
    const css = [...w.element.ownerDocument.querySelectorAll('style')].map((s) => s.textContent).join('\n');
    expect(css).toContain('#123456');
    root.removeAttribute('data-theme');
    root.style.removeProperty('--bg');
  });

  it('leaves the terminal and removes every listener on unmount', async () => {
    const w = mountView({ terminalId: 'stack:web' });
    await settle();
    await ack('x');
    expect(fake.listenerCount()).toBe(4);
    w.unmount();
    wrapper = null;
    expect(fake.listenerCount()).toBe(0);
    expect(fake.emits('terminal:leave')).toEqual([{ id: 'stack:web', host: 'local' }]);
  });
});
