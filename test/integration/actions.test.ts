import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TerminalJoinResult } from '../../common/events.js';
import { startBerth, waitForJob, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate } from '../helpers/engine.js';
import { connect, connectOutcome, sessionCookie, StackWatch, type ClientSocket } from '../helpers/socket.js';
import { WEB_AND_WORKER } from '../helpers/compose-fixtures.js';

const hasEngine = await engineGate();

const TWO_SERVICES = WEB_AND_WORKER;

/** Drops ANSI escape sequences: compose draws its progress with cursor movements on a TTY. */
// eslint-disable-next-line no-control-regex -- matching ESC is the point
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

describe.runIf(hasEngine)('compose actions and terminals against the real engine', () => {
  let t: TestBerth;
  let socket: ClientSocket;
  let watch: StackWatch;
  const name = `act-${process.pid}`;
  const output: string[] = [];

  beforeAll(async () => {
    t = await startBerth();
    socket = connect(t.url, { Cookie: await sessionCookie(t) });
    watch = new StackWatch(socket);
    socket.on('terminal:output', ({ id, data }) => {
      if (id === `stack:${name}`) output.push(data);
    });
    expect(await connectOutcome(socket)).toBe('connected');
  });
  afterAll(async () => {
    socket.disconnect();
    await docker(['compose', '-p', name, 'down', '--remove-orphans'], t.config.stacksDir).catch(() => '');
    await t.close();
  });

  const join = (id: string) =>
    socket.emitWithAck('terminal:join', { id }) as Promise<Ack<TerminalJoinResult>>;

  it('deploys a 2-service stack: live output to the joined client, job succeeded, status running', async () => {
    await t.agent.post('/api/stacks').send({ name, yaml: TWO_SERVICES }).expect(201);
    // Joined before anything ran: an empty terminal, which then carries the action's output.
    const joined = await join(`stack:${name}`);
    expect(joined).toEqual({ ok: true, data: { buffer: '', running: false, exitCode: null } });
    const res = await t.agent.post(`/api/stacks/${name}/up`).expect(202);
    expect(res.body.terminal).toBe(`stack:${name}`);
    const job = await waitForJob(t.agent, res.body.jobId);
    expect(job).toMatchObject({ state: 'succeeded', exitCode: 0 });
    expect(job.output).toContain(`docker compose -p ${name} --progress plain up -d --remove-orphans`);
    await expect.poll(() => watch.status(name), { timeout: 10_000 }).toBe('running');
    // The result line reaches sockets a moment after the job reads as ended.
    const seen = () => plain((joined.ok ? joined.data.buffer : '') + output.join(''));
    await expect.poll(seen, { timeout: 10_000 }).toContain('[up done]');
    expect(seen()).toMatch(/Container act-\d+-(web|worker)-1\s+Started/);
  });

  it('refuses a second action on the same stack while one runs (409 STACK_BUSY)', async () => {
    const first = await t.agent.post(`/api/stacks/${name}/restart`).expect(202);
    const second = await t.agent.post(`/api/stacks/${name}/stop`);
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('STACK_BUSY');
    expect((await waitForJob(t.agent, first.body.jobId)).state).toBe('succeeded');
  });

  it('replays the whole output to a client that joins after the job ended', async () => {
    const late = connect(t.url, { Cookie: await sessionCookie(t) });
    expect(await connectOutcome(late)).toBe('connected');
    const ack = (await late.emitWithAck('terminal:join', { id: `stack:${name}` })) as Ack<TerminalJoinResult>;
    late.disconnect();
    expect(ack.ok).toBe(true);
    if (!ack.ok) return;
    expect(ack.data.running).toBe(false);
    expect(ack.data.exitCode).toBe(0);
    expect(ack.data.buffer).toContain('[up done]');
    expect(ack.data.buffer).toContain('[restart done]');
  });

  it('opens a shell in a service: echo $((6*7)) prints 42, resize shows in stty size, exit ends it', async () => {
    const opened = (await socket.emitWithAck('exec:open', { stack: name, service: 'worker' })) as Ack<{
      id: string;
    }>;
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const id = opened.data.id;
    let screen = '';
    let exitCode: number | undefined;
    socket.on('terminal:output', (m) => {
      if (m.id === id) screen += m.data;
    });
    socket.on('terminal:exit', (m) => {
      if (m.id === id) exitCode = m.exitCode;
    });
    const joined = await join(id);
    expect(joined.ok).toBe(true);
    if (joined.ok) screen = joined.data.buffer + screen;
    await socket.emitWithAck('terminal:input', { id, data: 'echo $((6*7))\r' });
    await expect.poll(() => screen, { timeout: 10_000 }).toMatch(/\r\n42\r\n/);
    await socket.emitWithAck('terminal:resize', { id, cols: 91, rows: 33 });
    await socket.emitWithAck('terminal:input', { id, data: 'stty size\r' });
    await expect.poll(() => screen, { timeout: 10_000 }).toMatch(/33 91/);
    await socket.emitWithAck('terminal:input', { id, data: 'exit 7\r' });
    await expect.poll(() => exitCode, { timeout: 10_000 }).toBe(7);
    const after = (await socket.emitWithAck('terminal:input', { id, data: 'x' })) as Ack<null>;
    expect(after.ok).toBe(false);
  });

  it('gives a clear error for a shell into a stopped or unknown service', async () => {
    await docker(['stop', `${name}-worker-1`]);
    await expect.poll(() => watch.status(name), { timeout: 10_000 }).toBe('partial');
    const stopped = (await socket.emitWithAck('exec:open', { stack: name, service: 'worker' })) as Ack<{
      id: string;
    }>;
    expect(stopped).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    if (!stopped.ok) expect(stopped.error.message).toMatch(/not running/);
    const unknown = (await socket.emitWithAck('exec:open', { stack: name, service: 'nope' })) as Ack<{
      id: string;
    }>;
    expect(unknown).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('answers malformed terminal payloads and unknown terminal ids with error acks', async () => {
    const raw = socket as unknown as { emitWithAck: (e: string, p: unknown) => Promise<Ack<unknown>> };
    for (const [event, payload] of [
      ['terminal:join', { id: 'stack:does-not-exist' }],
      ['terminal:input', { id: 'exec:nope', data: 'x' }],
      ['terminal:resize', { id: 'exec:nope', cols: 80, rows: 24 }],
      ['terminal:resize', { id: `stack:${name}`, cols: -1, rows: 24 }],
      ['terminal:input', { id: `stack:${name}`, data: 'rm -rf /\r' }],
      ['exec:open', { stack: name }],
      ['exec:open', { stack: name, service: 'worker', shell: 'sh; rm -rf /' }],
      ['terminal:join', null],
    ] as const) {
      const ack = await raw.emitWithAck(event, payload);
      expect(ack.ok, `${event} ${JSON.stringify(payload)}`).toBe(false);
    }
    expect(socket.connected).toBe(true);
  });

  it('fails a deploy of an image that does not exist, with compose error in the output', async () => {
    const bad = `bad-${process.pid}`;
    await t.agent
      .post('/api/stacks')
      .send({
        name: bad,
        yaml: 'services:\n  app:\n    image: berth-test/does-not-exist:nope\n    pull_policy: never\n',
      })
      .expect(201);
    const res = await t.agent.post(`/api/stacks/${bad}/up`).expect(202);
    const job = await waitForJob(t.agent, res.body.jobId);
    expect(job.state).toBe('failed');
    expect(job.exitCode).not.toBe(0);
    expect(job.output).toMatch(/does-not-exist/);
    expect(job.output).toMatch(/No such image|not found|pull access denied/i);
    // compose made the project's network before failing: leave no network behind.
    // Run in the stack's folder: without a compose file compose cannot tell what to take down.
    await docker(['compose', '-p', bad, 'down'], path.join(t.config.stacksDir, bad)).catch(() => '');
    expect(await docker(['network', 'ls', '-q', '--filter', `name=^${bad}_default$`])).toBe('');
  });

  it('refuses to deploy a compose file with schema errors (422) before spawning anything', async () => {
    const invalid = `inv-${process.pid}`;
    mkdirSync(path.join(t.config.stacksDir, invalid));
    writeFileSync(
      path.join(t.config.stacksDir, invalid, 'compose.yaml'),
      'services:\n  app:\n    imagee: x\n',
    );
    await expect.poll(async () => (await t.agent.get(`/api/stacks/${invalid}`)).status).toBe(200);
    const res = await t.agent.post(`/api/stacks/${invalid}/up`).expect(422);
    expect(res.body.error.code).toBe('INVALID_COMPOSE');
    expect(res.body.error.details.problems[0]).toMatchObject({ line: 3 });
    // Nothing was spawned: the stack's terminal is empty.
    expect(await join(`stack:${invalid}`)).toMatchObject({ ok: true, data: { buffer: '', running: false } });
    // down works by project name even now.
    const down = await t.agent.post(`/api/stacks/${invalid}/down`).expect(202);
    expect((await waitForJob(t.agent, down.body.jobId)).state).toBe('succeeded');
  });

  it('down takes the stack down', async () => {
    const res = await t.agent.post(`/api/stacks/${name}/down`).expect(202);
    expect((await waitForJob(t.agent, res.body.jobId)).state).toBe('succeeded');
    await expect.poll(() => watch.status(name), { timeout: 10_000 }).toBe('down');
    await t.agent.post(`/api/stacks/${name}/explode`).expect(400);
  });
});
