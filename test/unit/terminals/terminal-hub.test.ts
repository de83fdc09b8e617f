import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../server/src/errors.js';
import { silentLogger } from '../../../server/src/logger.js';
import { nodePtyFactory } from '../../../server/src/terminals/node-pty-factory.js';
import { TerminalHub, type TerminalHubOptions } from '../../../server/src/terminals/terminal-hub.js';
import type { IPtyLike, TerminalSink } from '../../../server/src/terminals/terminal-types.js';

/** Records what the hub sends, in order, as the socket.io room would. */
class RecordingSink implements TerminalSink {
  outputs: Array<{ id: string; data: string }> = [];
  exits: Array<{ id: string; exitCode: number }> = [];
  output(id: string, data: string): void {
    this.outputs.push({ id, data });
  }
  exit(id: string, exitCode: number): void {
    this.exits.push({ id, exitCode });
  }
  text(id: string, from = 0): string {
    return this.outputs
      .slice(from)
      .filter((o) => o.id === id)
      .map((o) => o.data)
      .join('');
  }
  exitOf(id: string): number | undefined {
    return this.exits.find((e) => e.id === id)?.exitCode;
  }
}

const hubs: TerminalHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((h) => h.closeAll()));
});

function setup(options: Partial<TerminalHubOptions> = {}) {
  const sink = new RecordingSink();
  const hub = new TerminalHub({ sink, log: silentLogger(), ...options });
  hubs.push(hub);
  return { hub, sink };
}

const cwd = process.cwd();
const sh = (script: string): [string, string[]] => ['/bin/sh', ['-c', script]];

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  return undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TerminalHub with a real pty', () => {
  it('propagates the exit code after flushing the output', async () => {
    const { hub, sink } = setup();
    const { exited } = hub.spawn('stack:web', ...sh('printf hello; exit 3'), { cwd, interactive: false });
    expect(hub.isRunning('stack:web')).toBe(true);
    await expect(exited).resolves.toBe(3);
    expect(sink.text('stack:web')).toBe('hello');
    expect(sink.exits).toEqual([{ id: 'stack:web', exitCode: 3 }]);
    expect(hub.get('stack:web')).toEqual({ buffer: 'hello', running: false, exitCode: 3 });
  });

  it('keeps the whole output of processes that write a lot and exit at once', async () => {
    // Without the slave handle of nodePtyFactory, node-pty on Linux drops the tail of most of these.
    const { hub, sink } = setup();
    const payload = 'hello'.repeat(4096);
    const ids = Array.from({ length: 10 }, (_, i) => `fast:${i}`);
    const runs = ids.map(
      (id) => hub.spawn(id, '/bin/echo', ['-n', payload], { cwd, interactive: false }).exited,
    );
    await Promise.all(runs);
    // Lost output never arrives; output still being flushed on a busy machine does, soon.
    for (const id of ids) {
      await expect.poll(() => sink.text(id).length, { timeout: 5000 }).toBe(payload.length);
      expect(hub.get(id)?.buffer.length).toBe(payload.length);
    }
  });

  it('reports death by a signal as 128 + n', async () => {
    const { hub, sink } = setup();
    const self = hub.spawn('a', ...sh('kill -TERM $$'), { cwd, interactive: false });
    await expect(self.exited).resolves.toBe(143);
    const killed = hub.spawn('b', 'sleep', ['30'], { cwd, interactive: false });
    hub.kill('b');
    await expect(killed.exited).resolves.toBe(129); // SIGHUP
    expect(sink.exitOf('b')).toBe(129);
  });

  it('coalesces many small writes into few sink messages', async () => {
    let chunks = 0;
    const { hub, sink } = setup({
      ptyFactory: (file, args, opts) => {
        const p = nodePtyFactory(file, args, opts);
        p.onData(() => chunks++);
        return p;
      },
    });
    const script = 'i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done';
    await hub.spawn('t', ...sh(script), { cwd, interactive: false }).exited;
    const lines = sink.text('t').split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(2000);
    expect(lines.at(-1)).toBe('line 1999');
    expect(sink.outputs.length).toBeLessThan(200);
    expect(sink.outputs.length).toBeLessThanOrEqual(chunks);
  });

  it('caps the scrollback in bytes, keeping the end and starting at a line', async () => {
    const cap = 64 * 1024;
    const { hub } = setup({ scrollbackBytes: cap });
    const script = "head -c 1980000 /dev/zero | tr '\\0' x | fold -w 99; echo; echo END-OF-OUTPUT";
    await hub.spawn('big', ...sh(script), { cwd, interactive: false }).exited;
    const { buffer } = hub.get('big') ?? { buffer: '' };
    expect(Buffer.byteLength(buffer)).toBeLessThanOrEqual(cap);
    expect(buffer.length).toBeGreaterThan(cap / 2);
    expect(buffer.endsWith('x\r\nEND-OF-OUTPUT\r\n')).toBe(true);
    expect(buffer.startsWith(`${'x'.repeat(99)}\r\n`)).toBe(true);
  });

  it('join returns the scrollback and later output is neither lost nor repeated', async () => {
    const { hub, sink } = setup();
    const script = 'i=0; while [ $i -lt 40 ]; do seq 1 300; sleep 0.01; i=$((i+1)); done';
    const { exited } = hub.spawn('stack:web', ...sh(script), { cwd, interactive: false });
    await waitFor(() => sink.outputs.length > 0);
    const snapshot = hub.join('stack:web', 'viewer-1');
    const seenBeforeJoin = sink.outputs.length;
    expect(snapshot.running).toBe(true);
    await exited;
    const later = sink.text('stack:web', seenBeforeJoin);
    expect(later.length).toBeGreaterThan(0); // joined mid-stream
    const full = sink.text('stack:web');
    expect(snapshot.buffer + later).toBe(full);
    expect(full.split('\r\n').filter(Boolean)).toHaveLength(40 * 300);
  });

  it('reuses a finished terminal, appending to its scrollback', async () => {
    const { hub } = setup();
    hub.note('stack:web', '$ first\r\n');
    await hub.spawn('stack:web', ...sh('echo one'), { cwd, interactive: false }).exited;
    hub.note('stack:web', '$ second\r\n');
    const second = hub.spawn('stack:web', ...sh('echo two; exit 4'), { cwd, interactive: false });
    expect(hub.get('stack:web')).toMatchObject({ running: true, exitCode: null });
    await expect(second.exited).resolves.toBe(4);
    expect(hub.get('stack:web')).toEqual({
      buffer: '$ first\r\none\r\n$ second\r\ntwo\r\n',
      running: false,
      exitCode: 4,
    });
    expect(hub.list()).toEqual(['stack:web']);
  });

  it('refuses a second process on a running terminal with STACK_BUSY', async () => {
    const { hub } = setup();
    const { exited } = hub.spawn('stack:web', 'sleep', ['30'], { cwd, interactive: false });
    expect(codeOf(() => hub.spawn('stack:web', 'true', [], { cwd, interactive: false }))).toBe('STACK_BUSY');
    hub.kill('stack:web');
    await exited;
  });

  it('passes input to interactive terminals only, and only while running', async () => {
    const { hub, sink } = setup();
    hub.spawn('exec:1', 'cat', [], { cwd, interactive: true });
    hub.join('exec:1', 'v');
    hub.write('exec:1', 'hello\r');
    await waitFor(() => sink.text('exec:1').includes('hello\r\nhello\r\n'));

    const ro = hub.spawn('stack:web', 'cat', [], { cwd, interactive: false });
    expect(() => hub.write('stack:web', 'x')).toThrow(/read-only/);
    expect(codeOf(() => hub.write('stack:web', 'x'))).toBe('FORBIDDEN');
    hub.kill('stack:web');
    await ro.exited;

    const done = hub.spawn('exec:2', 'true', [], { cwd, interactive: true });
    await done.exited;
    expect(codeOf(() => hub.write('exec:2', 'x'))).toBe('CONFLICT');
  });

  it('answers NOT_FOUND for unknown terminals', () => {
    const { hub } = setup();
    expect(codeOf(() => hub.write('nope', 'x'))).toBe('NOT_FOUND');
    expect(codeOf(() => hub.resize('nope', 80, 24))).toBe('NOT_FOUND');
    expect(codeOf(() => hub.join('nope', 'v'))).toBe('NOT_FOUND');
    expect(() => hub.join('nope', 'v')).toThrow('no terminal "nope"');
    expect(codeOf(() => hub.kill('nope'))).toBe('NOT_FOUND');
    expect(hub.get('nope')).toBeUndefined();
    expect(hub.has('nope')).toBe(false);
    hub.leave('nope', 'v'); // leaving is always fine
  });

  it('resizes the pty', async () => {
    const { hub, sink } = setup();
    const { exited } = hub.spawn('t', ...sh('sleep 0.3; stty size'), {
      cwd,
      interactive: false,
      cols: 80,
      rows: 24,
    });
    hub.resize('t', 132, 40);
    await exited;
    expect(sink.text('t')).toBe('40 132\r\n');
    hub.resize('t', 100, 30); // finished: remembered, not an error
    const again = hub.spawn('t', ...sh('stty size'), { cwd, interactive: false });
    await again.exited;
    expect(sink.text('t')).toBe('40 132\r\n30 100\r\n');
  });

  it('kills an interactive terminal nobody watches, but not a watched one', async () => {
    const { hub } = setup({ idleTimeoutMs: 200 });
    const lonely = hub.spawn('exec:lonely', 'cat', [], { cwd, interactive: true });
    const watched = hub.spawn('exec:watched', 'cat', [], { cwd, interactive: true });
    hub.join('exec:watched', 'v1');
    const readOnly = hub.spawn('stack:web', 'sleep', ['30'], { cwd, interactive: false });
    await expect(lonely.exited).resolves.toBe(129);
    await sleep(400);
    expect(hub.isRunning('exec:watched')).toBe(true);
    expect(hub.isRunning('stack:web')).toBe(true); // actions are never idle-killed
    hub.join('exec:watched', 'v2');
    hub.leave('exec:watched', 'v1');
    await sleep(400);
    expect(hub.isRunning('exec:watched')).toBe(true); // v2 still watches
    hub.leaveAll('v2');
    await expect(watched.exited).resolves.toBe(129);
    hub.kill('stack:web');
    await readOnly.exited;
  });

  it('sends SIGKILL when SIGHUP is ignored', async () => {
    const { hub } = setup({ killGraceMs: 300 });
    const { exited } = hub.spawn('t', ...sh('trap "" HUP; echo ready; while :; do sleep 1; done'), {
      cwd,
      interactive: false,
    });
    await waitFor(() => hub.get('t')?.buffer.includes('ready') ?? false);
    hub.kill('t');
    await expect(exited).resolves.toBe(137);
  });

  it('forgets finished interactive terminals after a while, keeps action terminals', async () => {
    const { hub } = setup({ finishedTtlMs: 300 });
    const exec = hub.spawn('exec:1', 'true', [], { cwd, interactive: true }).exited;
    const action = hub.spawn('stack:web', 'true', [], { cwd, interactive: false }).exited;
    await Promise.all([exec, action]);
    expect(hub.list().sort()).toEqual(['exec:1', 'stack:web']);
    await waitFor(() => !hub.has('exec:1'));
    await sleep(100);
    expect(hub.list()).toEqual(['stack:web']);
    expect(hub.forget('stack:web')).toBe(true);
    expect(hub.has('stack:web')).toBe(false);
  });

  it('closeAll kills every process', async () => {
    const { hub, sink } = setup();
    hub.spawn('a', 'sleep', ['30'], { cwd, interactive: false });
    hub.spawn('exec:b', 'cat', [], { cwd, interactive: true });
    hub.spawn('c', ...sh('trap "" HUP; while :; do sleep 1; done'), { cwd, interactive: false });
    expect(codeOf(() => hub.forget('a'))).toBe('CONFLICT');
    await hub.closeAll();
    expect(hub.list().filter((id) => hub.isRunning(id))).toEqual([]);
    expect(sink.exits.map((e) => e.id).sort()).toEqual(['a', 'c', 'exec:b']);
  });
});

/** A pty the test drives by hand, for orderings a real process cannot pin down. */
class FakePty implements IPtyLike {
  readonly pid = 4242;
  private dataListeners: Array<(d: string) => void> = [];
  private exitListeners: Array<(e: { exitCode: number; signal?: number }) => void> = [];
  written: string[] = [];
  onData(l: (d: string) => void) {
    this.dataListeners.push(l);
    return { dispose: () => (this.dataListeners = this.dataListeners.filter((x) => x !== l)) };
  }
  onExit(l: (e: { exitCode: number; signal?: number }) => void) {
    this.exitListeners.push(l);
    return { dispose: () => (this.exitListeners = this.exitListeners.filter((x) => x !== l)) };
  }
  emit(data: string): void {
    for (const l of this.dataListeners) l(data);
  }
  exit(exitCode: number, signal?: number): void {
    for (const l of [...this.exitListeners]) l({ exitCode, signal });
  }
  write(data: string): void {
    this.written.push(data);
  }
  resize(): void {}
  kill(signal?: string): void {
    this.exit(0, signal === 'SIGKILL' ? 9 : 1);
  }
}

describe('TerminalHub ordering', () => {
  function fakeSetup(options: Partial<TerminalHubOptions> = {}) {
    const ptys: FakePty[] = [];
    const { hub, sink } = setup({
      flushIntervalMs: 10_000, // only explicit flushes, so the test controls them
      ptyFactory: () => {
        const p = new FakePty();
        ptys.push(p);
        return p;
      },
      ...options,
    });
    return { hub, sink, ptys };
  }

  it('flushes pending output before a join snapshot, so nothing is sent twice', () => {
    const { hub, sink, ptys } = fakeSetup();
    const raw: string[] = [];
    hub.spawn('t', 'x', [], { cwd, interactive: false, onData: (c) => raw.push(c) });
    const p = ptys[0]!;
    p.emit('a');
    p.emit('b');
    expect(sink.outputs).toEqual([]); // still pending
    const snap = hub.join('t', 'v');
    expect(sink.outputs).toEqual([{ id: 't', data: 'ab' }]); // earlier viewers get it now
    expect(snap.buffer).toBe('ab');
    const mark = sink.outputs.length;
    p.emit('c');
    p.exit(0);
    expect(sink.text('t', mark)).toBe('c'); // flushed before the exit
    expect(sink.exits).toEqual([{ id: 't', exitCode: 0 }]);
    expect(raw).toEqual(['a', 'b', 'c']);
  });

  it('flushes early when pending output passes maxPendingBytes', () => {
    const { hub, sink, ptys } = fakeSetup({ maxPendingBytes: 10 });
    hub.spawn('t', 'x', [], { cwd, interactive: false });
    const p = ptys[0]!;
    for (let i = 0; i < 5; i++) p.emit('abc');
    expect(sink.outputs.map((o) => o.data)).toEqual(['abcabcabcabc']);
  });

  it('notes create a read-only terminal and interleave with process output', () => {
    const { hub, sink, ptys } = fakeSetup();
    hub.note('stack:web', '$ docker compose up\r\n');
    expect(hub.get('stack:web')).toEqual({
      buffer: '$ docker compose up\r\n',
      running: false,
      exitCode: null,
    });
    expect(codeOf(() => hub.write('stack:web', 'x'))).toBe('FORBIDDEN');
    hub.spawn('stack:web', 'docker', ['compose', 'up'], { cwd, interactive: false });
    ptys[0]!.emit('Started\r\n');
    ptys[0]!.exit(0);
    hub.note('stack:web', '[up done]\r\n');
    hub.join('stack:web', 'v');
    expect(sink.text('stack:web')).toBe('$ docker compose up\r\nStarted\r\n[up done]\r\n');
  });
});
