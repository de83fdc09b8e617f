import { describe, expect, it } from 'vitest';
import type { TerminalJoinResult } from '../../../common/events.js';
import {
  exitLine,
  TerminalSession,
  type TerminalSink,
  type TerminalSocketLike,
} from '../../../frontend/src/components/terminal/terminal-session.js';

type Handler = (...args: never[]) => void;

/** A socket.io client stand-in: records emits, lets the test play the server. */
class FakeSocket implements TerminalSocketLike {
  connected = true;
  readonly listeners = new Map<string, Set<Handler>>();
  readonly emitted: Array<{ event: string; payload: unknown }> = [];

  on(event: string, handler: Handler): this {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(handler);
    return this;
  }

  off(event: string, handler: Handler): this {
    this.listeners.get(event)?.delete(handler);
    return this;
  }

  emit(event: string, payload: unknown): this {
    this.emitted.push({ event, payload });
    return this;
  }

  /** Delivers a server event (or a reserved one: connect, disconnect) to the listeners. */
  serve(event: string, payload?: unknown): void {
    for (const h of [...(this.listeners.get(event) ?? [])]) (h as (p: unknown) => void)(payload);
  }

  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  emits(event: string): unknown[] {
    return this.emitted.filter((e) => e.event === event).map((e) => e.payload);
  }

  disconnect(): void {
    this.connected = false;
    this.serve('disconnect');
  }

  reconnect(): void {
    this.connected = true;
    this.serve('connect');
  }
}

interface PendingJoin {
  id: string;
  host: string;
  resolve: (r: TerminalJoinResult) => void;
  reject: (e: Error) => void;
}

/** Records what reaches the terminal; `text` is everything since the last reset. */
class RecordingSink implements TerminalSink {
  calls: string[] = [];
  text = '';
  resets = 0;
  write(data: string): void {
    this.calls.push(data);
    this.text += data;
  }
  reset(): void {
    this.resets++;
    this.calls = [];
    this.text = '';
  }
}

function setup() {
  const socket = new FakeSocket();
  const sink = new RecordingSink();
  const joins: PendingJoin[] = [];
  const exits: number[] = [];
  const errors: string[] = [];
  const session = new TerminalSession({
    socket,
    sink,
    request: (_event, { id, host }) =>
      new Promise<TerminalJoinResult>((resolve, reject) => joins.push({ id, host, resolve, reject })),
    onExit: (code) => exits.push(code),
    onError: (message) => errors.push(message),
  });
  /** Answers the oldest open join and lets the session's continuation run. */
  const ack = async (result: Partial<TerminalJoinResult> = {}): Promise<void> => {
    const join = joins.shift();
    if (!join) throw new Error('no join pending');
    join.resolve({ buffer: '', running: true, exitCode: null, ...result });
    await flush();
  };
  return { socket, sink, joins, exits, errors, session, ack };
}

const flush = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
const output = (id: string, data: string, host?: string) => ({ id, data, ...(host ? { host } : {}) });

describe('TerminalSession', () => {
  it('registers its listeners before sending the join', () => {
    const { socket, joins, session } = setup();
    void session.attach('stack:web');
    expect(joins.map((j) => j.id)).toEqual(['stack:web']);
    expect(socket.listeners.get('terminal:output')?.size).toBe(1);
    expect(socket.listeners.get('terminal:exit')?.size).toBe(1);
  });

  it('writes output that arrives before the ack after the buffer, once and in order', async () => {
    const { socket, sink, session, ack } = setup();
    const attached = session.attach('t1');
    socket.serve('terminal:output', output('t1', 'three '));
    socket.serve('terminal:output', output('t1', 'four '));
    expect(sink.text).toBe('');
    await ack({ buffer: 'one two ' });
    await attached;
    expect(session.live).toBe(true);
    socket.serve('terminal:output', output('t1', 'five'));
    expect(sink.calls).toEqual(['one two ', 'three ', 'four ', 'five']);
    expect(sink.text).toBe('one two three four five');
  });

  it('ignores output and exits of other terminals', async () => {
    const { socket, sink, exits, session, ack } = setup();
    void session.attach('t1');
    socket.serve('terminal:output', output('t2', 'early other '));
    socket.serve('terminal:output', output('t1', 'early mine '));
    await ack({ buffer: 'buf ' });
    socket.serve('terminal:output', output('t2', 'late other '));
    socket.serve('terminal:exit', { id: 't2', exitCode: 3 });
    socket.serve('terminal:output', output('t1', 'late mine'));
    expect(sink.text).toBe('buf early mine late mine');
    expect(exits).toEqual([]);
  });

  it('on reconnect joins again, resets and renders the fresh buffer', async () => {
    const { socket, sink, joins, session, ack } = setup();
    void session.attach('t1');
    await ack({ buffer: 'old buffer\r\n' });
    socket.serve('terminal:output', output('t1', 'live\r\n'));
    const resetsBefore = sink.resets;

    socket.disconnect();
    expect(joins).toHaveLength(0);
    expect(sink.text).toContain('connection lost');
    socket.reconnect();
    expect(joins.map((j) => j.id)).toEqual(['t1']);
    socket.serve('terminal:output', output('t1', 'after\r\n'));
    await ack({ buffer: 'old buffer\r\nlive\r\nnew\r\n' });

    expect(sink.resets).toBe(resetsBefore + 1);
    expect(sink.text).toBe('old buffer\r\nlive\r\nnew\r\nafter\r\n');
    socket.serve('terminal:output', output('t1', 'more'));
    expect(sink.text.endsWith('after\r\nmore')).toBe(true);
  });

  it('does not join again on the first connect when the join was sent while offline', async () => {
    const { socket, joins, session, ack, sink } = setup();
    socket.connected = false;
    void session.attach('t1');
    expect(joins).toHaveLength(1);
    socket.reconnect();
    expect(joins).toHaveLength(1);
    await ack({ buffer: 'x' });
    expect(sink.text).toBe('x');
  });

  it('retries quietly on connect when a join timed out while offline', async () => {
    const { socket, joins, errors, session, ack, sink } = setup();
    socket.connected = false;
    void session.attach('t1');
    joins.shift()?.reject(new Error('Berth did not answer "terminal:join"'));
    await flush();
    expect(errors).toEqual([]);
    socket.reconnect();
    expect(joins.map((j) => j.id)).toEqual(['t1']);
    await ack({ buffer: 'back' });
    expect(sink.text).toBe('back');
    expect(session.live).toBe(true);
  });

  it('reports an exit missed while offline', async () => {
    const { socket, exits, session, ack, sink } = setup();
    void session.attach('exec:1');
    await ack({ buffer: '$ ' });
    socket.disconnect();
    socket.reconnect();
    await ack({ buffer: '$ exit\r\n', running: false, exitCode: 0 });
    expect(exits).toEqual([0]);
    expect(sink.text).toBe('$ exit\r\n' + exitLine(0));
  });

  it('detach emits terminal:leave and leaves no listener behind', async () => {
    const { socket, sink, session, ack } = setup();
    void session.attach('t1');
    await ack({ buffer: 'a' });
    session.detach();
    expect(socket.listenerCount()).toBe(0);
    expect(socket.emits('terminal:leave')).toEqual([{ id: 't1', host: 'local' }]);
    socket.serve('terminal:output', output('t1', 'ignored'));
    expect(sink.text).toBe('a');
    session.dispose();
    expect(socket.emits('terminal:leave')).toHaveLength(1);
  });

  it('switching terminals leaves the old one and ignores its late ack', async () => {
    const { socket, sink, joins, session } = setup();
    void session.attach('t1');
    void session.attach('t2');
    expect(socket.emits('terminal:leave')).toEqual([{ id: 't1', host: 'local' }]);
    expect(socket.listenerCount()).toBe(4);
    expect(joins.map((j) => j.id)).toEqual(['t1', 't2']);
    joins[0]?.resolve({ buffer: 'stale', running: true, exitCode: null });
    joins[1]?.resolve({ buffer: 'fresh', running: true, exitCode: null });
    await flush();
    expect(sink.text).toBe('fresh');
    expect(session.terminalId).toBe('t2');
  });

  it('a failed join reports the error and is not live', async () => {
    const { joins, errors, session, sink } = setup();
    const attached = session.attach('nope');
    joins.shift()?.reject(new Error('no terminal "nope"'));
    await attached;
    expect(errors).toEqual(['no terminal "nope"']);
    expect(session.live).toBe(false);
    expect(sink.text).toContain('no terminal "nope"');
  });

  it('shows a dim exit line for a finished terminal and on a live exit', async () => {
    const { socket, sink, exits, session, ack } = setup();
    void session.attach('stack:web');
    await ack({ buffer: 'done', running: false, exitCode: 2 });
    expect(sink.text).toBe('done\r\n' + exitLine(2));
    expect(exitLine(2)).toContain('[exited with code 2]');
    expect(exits).toEqual([]);
    socket.serve('terminal:output', output('stack:web', 'next run\r\n'));
    socket.serve('terminal:exit', { id: 'stack:web', exitCode: 0 });
    expect(sink.text.endsWith('next run\r\n' + exitLine(0))).toBe(true);
    expect(exits).toEqual([0]);
  });

  it('writes no exit line for a terminal that never ran a process', async () => {
    const { sink, session, ack } = setup();
    void session.attach('stack:web');
    await ack({ buffer: 'note\r\n', running: false, exitCode: null });
    expect(sink.text).toBe('note\r\n');
  });

  it('sends input and the size (clamped, after the join, only when changed)', async () => {
    const { socket, session, ack } = setup();
    void session.attach('exec:1');
    session.resize(120.7, 40);
    expect(socket.emits('terminal:resize')).toEqual([]);
    await ack();
    expect(socket.emits('terminal:resize')).toEqual([{ id: 'exec:1', host: 'local', cols: 120, rows: 40 }]);
    session.resize(120, 40);
    session.resize(1, 0);
    expect(socket.emits('terminal:resize')).toEqual([
      { id: 'exec:1', host: 'local', cols: 120, rows: 40 },
      { id: 'exec:1', host: 'local', cols: 2, rows: 1 },
    ]);
    session.input('ls\r');
    session.input('');
    expect(socket.emits('terminal:input')).toEqual([{ id: 'exec:1', host: 'local', data: 'ls\r' }]);
  });

  it('a terminal of another host: joins, input, size and leave carry its host', async () => {
    const { socket, joins, session, ack } = setup();
    void session.attach('exec:1', 'h_abcdefghij');
    expect(joins.map((j) => [j.host, j.id])).toEqual([['h_abcdefghij', 'exec:1']]);
    expect(session.terminalHost).toBe('h_abcdefghij');
    session.resize(80, 24);
    await ack();
    session.input('ls\r');
    session.detach();
    expect(socket.emits('terminal:resize')).toEqual([
      { id: 'exec:1', host: 'h_abcdefghij', cols: 80, rows: 24 },
    ]);
    expect(socket.emits('terminal:input')).toEqual([{ id: 'exec:1', host: 'h_abcdefghij', data: 'ls\r' }]);
    expect(socket.emits('terminal:leave')).toEqual([{ id: 'exec:1', host: 'h_abcdefghij' }]);
  });

  it('(host, id) is the identity: the same id on another host is another terminal', async () => {
    const { socket, sink, exits, joins, session, ack } = setup();
    void session.attach('stack:web', 'h_abcdefghij');
    // Output of the local `stack:web` (no host field) and of a third host is not this terminal's.
    socket.serve('terminal:output', output('stack:web', 'local early '));
    socket.serve('terminal:output', output('stack:web', 'remote early ', 'h_abcdefghij'));
    await ack({ buffer: 'buf ' });
    socket.serve('terminal:output', output('stack:web', 'other ', 'h_zzzzzzzzzz'));
    socket.serve('terminal:exit', { id: 'stack:web', exitCode: 9 });
    socket.serve('terminal:output', output('stack:web', 'remote live', 'h_abcdefghij'));
    expect(sink.text).toBe('buf remote early remote live');
    expect(exits).toEqual([]);

    // Attaching the same id on the local host leaves the remote one and joins again.
    void session.attach('stack:web');
    expect(socket.emits('terminal:leave')).toEqual([{ id: 'stack:web', host: 'h_abcdefghij' }]);
    expect(joins.map((j) => [j.host, j.id])).toEqual([['local', 'stack:web']]);
    await ack({ buffer: 'local buf ' });
    socket.serve('terminal:output', output('stack:web', 'remote late', 'h_abcdefghij'));
    socket.serve('terminal:output', output('stack:web', 'local live'));
    expect(sink.text).toBe('local buf local live');
  });
});
