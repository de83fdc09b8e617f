import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../common/logs.js';
import { startBerth, waitForJob, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate, TEST_IMAGE } from '../helpers/engine.js';
import { connect, sessionCookie, type ClientSocket } from '../helpers/socket.js';

const hasEngine = await engineGate();

// A folder name compose accepts that is no project name: the engine knows the project `namesapp<pid>`.
const FOLDER = `Names.App${process.pid}`;
const PROJECT = `namesapp${process.pid}`;
const COMPOSE = `services:\n  ticker:\n    image: ${TEST_IMAGE}\n    command: ['sh', '-c', 'while true; do echo tick-$$RANDOM; sleep 0.3; done']\n`;

describe.runIf(hasEngine)('logs and stats of a stack whose folder is not its project name', () => {
  let t: TestBerth;
  let socket: ClientSocket;

  beforeAll(async () => {
    t = await startBerth();
    const dir = path.join(t.config.stacksDir, FOLDER);
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'compose.yaml'), COMPOSE);
    await t.berth.store.refresh(FOLDER);
    const { body } = await t.agent.post(`/api/stacks/${encodeURIComponent(FOLDER)}/up`).expect(202);
    const job = await waitForJob(t.agent, body.jobId as string);
    expect(job.exitCode, job.output).toBe(0);
    socket = connect(t.url, { Cookie: await sessionCookie(t) });
    await new Promise((r) => socket.once('stacks:list', r));
  });
  afterAll(async () => {
    socket?.disconnect();
    await docker(['compose', '-p', PROJECT, 'down', '--remove-orphans', '-t', '0']).catch(() => '');
    await t?.close();
  });

  it('runs under the derived project name', async () => {
    const ids = await docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${PROJECT}`]);
    expect(ids.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('live logs come from the project’s containers', async () => {
    const lines: LogLine[] = [];
    socket.on('logs:lines', (batch) => lines.push(...batch.lines));
    const ack = await socket.timeout(20_000).emitWithAck('logs:subscribe', { stack: FOLDER, tail: 5 });
    expect(ack.ok, JSON.stringify(ack)).toBe(true);
    await expect
      .poll(() => lines.filter((l) => l.text.startsWith('tick-')).length, { timeout: 20_000 })
      .toBeGreaterThan(2);
    expect(lines[0]).toMatchObject({ service: 'ticker', container: `${PROJECT}-ticker-1` });
    if (ack.ok) await socket.emitWithAck('logs:unsubscribe', { id: ack.data.id });
  });

  it('log history and the download find them too', async () => {
    const ack = await socket.timeout(20_000).emitWithAck('logs:history', { stack: FOLDER, limit: 5 });
    expect(ack.ok && ack.data.lines.length).toBeGreaterThan(0);
    const res = await t.agent.get(`/api/stacks/${encodeURIComponent(FOLDER)}/logs?tail=3`).expect(200);
    expect(res.text).toMatch(/tick-/);
  });

  it('stats samples carry the project’s container', async () => {
    const samples: Array<{ containers?: Array<{ service: string }> }> = [];
    socket.on('stats:sample', (s) => samples.push(s as (typeof samples)[number]));
    const ack = await socket.timeout(20_000).emitWithAck('stats:subscribe', { stack: FOLDER });
    expect(ack.ok, JSON.stringify(ack)).toBe(true);
    await expect
      .poll(() => samples.some((s) => s.containers?.some((c) => c.service === 'ticker')), { timeout: 20_000 })
      .toBe(true);
    if (ack.ok) await socket.emitWithAck('stats:unsubscribe', { id: ack.data.id });
  });
});
