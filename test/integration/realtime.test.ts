import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate, requireDocker } from '../helpers/engine.js';
import { connect, connectOutcome, sessionCookie, StackWatch, type ClientSocket } from '../helpers/socket.js';
import { WITH_ONE_SHOT } from '../helpers/compose-fixtures.js';

const hasEngine = await engineGate();

const STACK = WITH_ONE_SHOT;

let t: TestBerth;
let cookie: string;
const sockets: ClientSocket[] = [];

function client(headers: Record<string, string> = { Cookie: cookie }): ClientSocket {
  const s = connect(t.url, headers);
  sockets.push(s);
  return s;
}

beforeAll(async () => {
  t = await startBerth();
  cookie = await sessionCookie(t);
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(async () => {
  await t.close();
});

describe('socket authentication', () => {
  it('refuses a connection without a session', async () => {
    expect(await connectOutcome(client({}))).toBe('UNAUTHENTICATED');
    expect(await connectOutcome(client({ Cookie: 'berth.sid=s%3Aforged.sig' }))).toBe('UNAUTHENTICATED');
  });

  it('refuses a browser connection from another origin', async () => {
    const outcome = await connectOutcome(client({ Cookie: cookie, Origin: 'http://evil.example' }));
    expect(outcome).not.toBe('connected');
  });

  it('accepts the session cookie (same origin) and sends stacks:list on connect', async () => {
    const host = new URL(t.url).host;
    const s = client({ Cookie: cookie, Origin: `http://${host}` });
    const watch = new StackWatch(s);
    expect(await connectOutcome(s)).toBe('connected');
    await expect.poll(() => watch.listed).toBe(true);
  });

  it('answers malformed payloads and unknown events with error acks, and keeps serving', async () => {
    const s = client();
    expect(await connectOutcome(s)).toBe('connected');
    const raw = s as unknown as { emitWithAck: (e: string, ...a: unknown[]) => Promise<unknown> };
    for (const payload of [null, 42, 'x', { id: 5 }, { id: '' }, {}, [1, 2]]) {
      const ack = (await raw.emitWithAck('terminal:join', payload)) as {
        ok: boolean;
        error?: { code: string };
      };
      expect(ack.ok).toBe(false);
      expect(ack.error?.code).toMatch(/BAD_REQUEST|NOT_FOUND/);
    }
    const unknown = (await raw.emitWithAck('no:such', { a: 1 })) as {
      ok: boolean;
      error: { message: string };
    };
    expect(unknown).toEqual({
      ok: false,
      error: { code: 'BAD_REQUEST', message: 'unknown event "no:such"' },
    });
    (s as unknown as { emit: (e: string, p: unknown) => void }).emit('terminal:resize', 'garbage'); // no ack
    await t.agent.get('/api/health').expect(200);
    expect(s.connected).toBe(true);
  });
});

describe.runIf(hasEngine)('status follows the engine, pushed to sockets', () => {
  const name = `rt-${process.pid}`;
  let dir: string;

  beforeAll(() => {
    dir = path.join(t.config.stacksDir, name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'compose.yaml'), STACK);
  });
  afterAll(async () => {
    await docker(['compose', '-p', name, 'down', '--remove-orphans'], dir).catch(() => undefined);
  });

  it('up, stop one, down done outside Berth arrive as running, partial, down', async () => {
    const watch = new StackWatch(client());
    await expect.poll(() => watch.status(name)).toBe('down');

    await docker(['compose', '-p', name, 'up', '-d'], dir);
    await expect.poll(() => watch.status(name), { timeout: 10_000 }).toBe('running');
    // The one-shot `init` exits 0 (on a busy machine it may still run when the stack first reads
    // running) and does not make the stack partial.
    type Detail = { containers: Array<{ service: string; state: string; exitCode: number | null }> };
    const initOf = async () =>
      ((await t.agent.get(`/api/stacks/${name}`).expect(200)).body as Detail).containers.find(
        (c) => c.service === 'init',
      );
    await expect.poll(initOf, { timeout: 10_000 }).toMatchObject({ state: 'exited', exitCode: 0 });
    const detail = (await t.agent.get(`/api/stacks/${name}`).expect(200)).body;
    expect(detail.services).toEqual({ total: 3, running: 2 });
    expect(detail.status).toBe('running');

    await docker(['stop', `${name}-worker-1`]);
    await expect.poll(() => watch.status(name), { timeout: 10_000 }).toBe('partial');

    const before = watch.messages.length;
    await docker(['compose', '-p', name, 'down'], dir);
    await expect.poll(() => watch.status(name), { timeout: 10_000 }).toBe('down');
    // `down` of 3 containers is a burst of ~9 engine events; clients get a few messages.
    expect(watch.messages.length - before).toBeLessThanOrEqual(4);
  });

  it('lists projects without a folder as managed: false', async () => {
    const other = path.join(path.dirname(t.config.stacksDir), `elsewhere-${process.pid}`);
    mkdirSync(other, { recursive: true });
    writeFileSync(path.join(other, 'compose.yaml'), STACK);
    const project = `unmanaged-${process.pid}`;
    const watch = new StackWatch(client());
    try {
      await docker(['compose', '-p', project, 'up', '-d', 'worker'], other);
      await expect.poll(() => watch.stacks.get(project)?.managed, { timeout: 10_000 }).toBe(false);
      const list = (await t.agent.get('/api/stacks').expect(200)).body as Array<{
        name: string;
        managed: boolean;
      }>;
      expect(list.find((s) => s.name === project)).toMatchObject({ managed: false, composeFile: null });
    } finally {
      await docker(['compose', '-p', project, 'down'], other);
    }
    await expect.poll(() => watch.stacks.has(project), { timeout: 10_000 }).toBe(false);
  });
});

const isRoot = process.getuid?.() === 0;

async function engineUp(): Promise<boolean> {
  return docker(['info', '--format', '{{.ServerVersion}}']).then(
    () => true,
    () => false,
  );
}

describe.runIf(hasEngine && (isRoot || requireDocker))('the engine stopped and restarted', () => {
  it('shows unknown while dockerd is down, then the correct state again', async () => {
    const name = `outage-${process.pid}`;
    const dir = path.join(t.config.stacksDir, name);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'compose.yaml'), STACK);
    const watch = new StackWatch(client());
    await docker(['compose', '-p', name, 'up', '-d'], dir);
    await expect.poll(() => watch.status(name), { timeout: 10_000 }).toBe('running');

    // The shared engine's own pid file: `pidof dockerd` may name another test's private dockerd.
    const pid = readFileSync('/var/run/docker.pid', 'utf8').trim();
    expect(pid).toMatch(/^\d+$/);
    process.kill(Number(pid), 'SIGTERM');
    try {
      await expect.poll(() => watch.status(name), { timeout: 30_000 }).toBe('unknown');
      await t.agent.get('/api/health').expect(200);
      expect((await t.agent.get('/api/health')).body.docker.reachable).toBe(false);
    } finally {
      // Start dockerd again exactly as test/engine/provision.sh does: detached, own session.
      await expect.poll(engineUp, { timeout: 30_000, interval: 500 }).toBe(false);
      const log = openSync('/var/log/dockerd.log', 'a');
      spawn('dockerd', [], { detached: true, stdio: ['ignore', log, log] }).unref();
      await expect.poll(engineUp, { timeout: 60_000, interval: 500 }).toBe(true);
    }
    // dockerd stopped the containers with it (no live-restore): the stack is now exited.
    await expect.poll(() => watch.status(name), { timeout: 30_000 }).toBe('exited');
    await docker(['compose', '-p', name, 'up', '-d'], dir);
    await expect.poll(() => watch.status(name), { timeout: 10_000 }).toBe('running');
    await docker(['compose', '-p', name, 'down'], dir);
  }, 150_000);
});
