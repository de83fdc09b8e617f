import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine, LogsHistory, LogsHistoryReply } from '../../common/logs.js';
import { DockerEngineClient } from '../../server/src/engine/engine-client.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { startCountingProxy, type CountingProxy } from '../helpers/counting-proxy.js';
import { docker, engineGate } from '../helpers/engine.js';
import { connect, sessionCookie, type ClientSocket } from '../helpers/socket.js';

const hasEngine = await engineGate();
const STACK = `logs-${process.pid}-a`;

// app: no TTY, a JSON logger and plain lines, stdout and stderr. tty: a TTY, plain + ANSI.
// The sleeps space the lines so the merged order of the two containers is known.
const APP = `#!/bin/sh
echo "$MARK started"
echo '{"level":"error","msg":"json boom"}'
echo '{"level":"info","msg":"json fine"}'
sleep 2
echo "ERROR: to stderr" >&2
sleep 0.3
echo "plain stdout after"
sleep 3600
`;
const TTY = `#!/bin/sh
sleep 1
echo "[WARN] tty warning"
sleep 2
printf '\\033[32mINFO\\033[0m green tty\\n'
sleep 3600
`;
const compose = (mark: string) => `services:
  app:
    image: berth-test/busybox:latest
    command: ["sh", "/app.sh"]
    environment:
      MARK: ${mark}
    volumes: ["./app.sh:/app.sh:ro"]
    stop_signal: SIGKILL
    network_mode: none
  tty:
    image: berth-test/busybox:latest
    command: ["sh", "/tty.sh"]
    tty: true
    volumes: ["./tty.sh:/tty.sh:ro"]
    stop_signal: SIGKILL
    network_mode: none
`;

const EXPECTED = [
  'one started',
  '{"level":"error","msg":"json boom"}',
  '{"level":"info","msg":"json fine"}',
  '[WARN] tty warning',
  'ERROR: to stderr',
  'plain stdout after',
  '\x1b[32mINFO\x1b[0m green tty',
];

class LogView {
  id = '';
  // A socket.io client may see the first batch before the ack's continuation has run: keep every
  // batch by subscription id.
  private readonly byId = new Map<string, LogLine[]>();
  constructor(readonly socket: ClientSocket) {
    socket.on('logs:lines', (b) => {
      const list = this.byId.get(b.id) ?? [];
      list.push(...b.lines);
      this.byId.set(b.id, list);
    });
  }
  get lines(): LogLine[] {
    return this.byId.get(this.id) ?? [];
  }
  async subscribe(payload: Record<string, unknown>): Promise<void> {
    const ack = await this.socket.timeout(10_000).emitWithAck('logs:subscribe', payload as never);
    if (!ack.ok) throw new Error(ack.error.message);
    this.id = ack.data.id;
  }
  texts(): string[] {
    return [...this.lines].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0)).map((l) => l.text);
  }
}

describe.runIf(hasEngine)('container logs against the real engine', () => {
  let t: TestBerth;
  let proxy: CountingProxy;
  let cookie: string;
  let dir: string;
  const sockets: ClientSocket[] = [];
  const open = async () => {
    const s = connect(t.url, { Cookie: cookie });
    sockets.push(s);
    await new Promise((r) => s.once('stacks:list', r));
    return s;
  };
  const history = async (s: ClientSocket, p: Omit<LogsHistory, 'stack'>): Promise<LogsHistoryReply> => {
    const ack = await s.timeout(20_000).emitWithAck('logs:history', { stack: STACK, ...p });
    if (!ack.ok) throw new Error(`${ack.error.code}: ${ack.error.message}`);
    return ack.data;
  };
  let all: LogLine[] = [];

  beforeAll(async () => {
    proxy = await startCountingProxy();
    t = await startBerth({ overrides: { engine: new DockerEngineClient({ socketPath: proxy.socketPath }) } });
    cookie = await sessionCookie(t);
    dir = path.join(t.config.stacksDir, STACK);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'app.sh'), APP);
    writeFileSync(path.join(dir, 'tty.sh'), TTY);
    writeFileSync(path.join(dir, 'compose.yaml'), compose('one'));
    await docker(['compose', '-p', STACK, 'up', '-d'], dir);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await docker(['compose', '-p', STACK, 'down', '-t', '0'], dir).catch(() => '');
    await t?.close();
    await proxy?.close();
  });

  it('merges both containers in time order, tagged by service and stream, with levels', async () => {
    const view = new LogView(await open());
    await view.subscribe({ stack: STACK });
    await expect.poll(() => view.texts(), { timeout: 20_000, interval: 200 }).toEqual(EXPECTED);
    all = [...view.lines].sort((a, b) => (a.ts < b.ts ? -1 : 1));
    const by = (text: string) => all.find((l) => l.text === text);
    expect(by('one started')).toMatchObject({
      service: 'app',
      container: `${STACK}-app-1`,
      stream: 'stdout',
    });
    expect(by('one started')?.level).toBeUndefined();
    expect(by('{"level":"error","msg":"json boom"}')?.level).toBe('error');
    expect(by('{"level":"info","msg":"json fine"}')?.level).toBe('info');
    expect(by('[WARN] tty warning')).toMatchObject({ service: 'tty', stream: 'stdout', level: 'warn' });
    expect(by('ERROR: to stderr')).toMatchObject({ service: 'app', stream: 'stderr', level: 'error' });
    expect(by('\x1b[32mINFO\x1b[0m green tty')).toMatchObject({ service: 'tty', level: 'info' });
    for (const l of all) expect(l.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  it('shares one engine follow stream per container between two sockets', async () => {
    const second = new LogView(await open());
    await second.subscribe({ stack: STACK, tail: 3 });
    // The newest 3 lines come from the shared stream's ring, not from a new engine request.
    await expect.poll(() => second.texts(), { timeout: 10_000 }).toEqual(EXPECTED.slice(-3));
    const ids = (await docker(['compose', '-p', STACK, 'ps', '-q'], dir)).split('\n').filter(Boolean);
    expect(ids).toHaveLength(2);
    const full = await Promise.all(ids.map((id) => docker(['inspect', '-f', '{{.Id}}', id])));
    // A third view from a point in time, also served by the shared streams.
    const third = new LogView(sockets[1]!);
    await third.subscribe({ stack: STACK, since: all[3]!.ts });
    await expect.poll(() => third.texts(), { timeout: 10_000 }).toEqual(EXPECTED.slice(3));
    for (const id of full) expect(proxy.followsOf(id), `follow requests of ${id}`).toBe(1);
    expect(proxy.openFollows()).toBe(2);
    expect(t.berth.logHub.openStreams).toBe(2);
  });

  it('searches history: plain, regex, invert and level', async () => {
    const s = sockets[0]!;
    const texts = (r: LogsHistoryReply) => r.lines.map((l) => l.text);
    expect(texts(await history(s, { q: 'JSON' }))).toEqual(EXPECTED.slice(1, 3));
    expect(texts(await history(s, { q: '"level":"(error|warn)"', regex: true }))).toEqual([EXPECTED[1]]);
    expect(texts(await history(s, { q: 'json', invert: true }))).toEqual(
      EXPECTED.filter((l) => !l.includes('json')),
    );
    expect(texts(await history(s, { level: ['error'] }))).toEqual([EXPECTED[1], 'ERROR: to stderr']);
    const older = await history(s, { until: all[3]!.ts, limit: 2 });
    expect(texts(older)).toEqual(EXPECTED.slice(1, 3));
    expect(older.complete).toBe(false);
    const bad = await s.timeout(5000).emitWithAck('logs:history', { stack: STACK, q: '(', regex: true });
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/regex/) },
    });
  });

  it('downloads text and NDJSON with since/until and filters, as an attachment', async () => {
    const since = all[3]!.ts; // [WARN] tty warning
    const until = all[6]!.ts; // INFO green tty, exclusive
    const text = await t.agent
      .get(`/api/stacks/${STACK}/logs`)
      .query({ since, until })
      .expect(200)
      .expect('content-type', /text\/plain/)
      .expect('content-disposition', new RegExp(`attachment; filename="${STACK}-logs-.*\\.log"`));
    const rows = text.text.trimEnd().split('\n');
    expect(rows).toEqual([
      `${all[3]!.ts} tty ${STACK}-tty-1 stdout | [WARN] tty warning`,
      `${all[4]!.ts} app ${STACK}-app-1 stderr | ERROR: to stderr`,
      `${all[5]!.ts} app ${STACK}-app-1 stdout | plain stdout after`,
    ]);

    const nd = await t.agent
      .get(`/api/stacks/${STACK}/logs`)
      .query({ format: 'ndjson', level: 'error,warn' })
      .buffer(true)
      .parse((res, cb) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => cb(null, body));
      })
      .expect(200)
      .expect('content-type', /application\/x-ndjson/)
      .expect('content-disposition', /\.ndjson"/);
    const parsed = (nd.body as string)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as LogLine);
    expect(parsed.map((l) => [l.service, l.level, l.text])).toEqual([
      ['app', 'error', EXPECTED[1]],
      ['tty', 'warn', '[WARN] tty warning'],
      ['app', 'error', 'ERROR: to stderr'],
    ]);

    const tail = await t.agent
      .get(`/api/stacks/${STACK}/logs`)
      .query({ tail: '2', service: 'app' })
      .expect(200);
    expect(
      tail.text
        .trimEnd()
        .split('\n')
        .map((r) => r.split(' | ')[1]),
    ).toEqual(['ERROR: to stderr', 'plain stdout after']);
    const inverted = await t.agent
      .get(`/api/stacks/${STACK}/logs`)
      .query({ q: 'tty', invert: 'true', container: `${STACK}-tty-1` })
      .expect(200);
    expect(inverted.text).toBe('');

    const bad = await t.agent.get(`/api/stacks/${STACK}/logs`).query({ q: '[', regex: 'true' }).expect(400);
    expect(bad.body.error.message).toMatch(/invalid regex/);
    await t.agent.get(`/api/stacks/${STACK}/logs`).query({ since: 'yesterday' }).expect(400);
    await t.agent.get(`/api/stacks/logs-${process.pid}-none/logs`).expect(404);
  });

  it('keeps an open view through a recreate by `up`: the new container joins', async () => {
    const view = new LogView(sockets[0]!);
    await view.subscribe({ stack: STACK, tail: 0 });
    writeFileSync(path.join(dir, 'compose.yaml'), compose('two'));
    await docker(['compose', '-p', STACK, 'up', '-d'], dir);
    await expect.poll(() => view.texts(), { timeout: 20_000, interval: 200 }).toContain('two started');
    await expect
      .poll(() => view.texts(), { timeout: 20_000, interval: 200 })
      .toContain('{"level":"error","msg":"json boom"}');
  });

  it('closes every engine stream a few seconds after the last viewer leaves', async () => {
    expect(proxy.openFollows()).toBeGreaterThan(0);
    for (const s of sockets) s.disconnect();
    await expect.poll(() => proxy.openFollows(), { timeout: 5000, interval: 100 }).toBe(0);
    expect(t.berth.logHub.openStreams).toBe(0);
  });
});
