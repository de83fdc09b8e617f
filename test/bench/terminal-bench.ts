import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { docker } from '../helpers/engine.js';
import { tempDir } from '../helpers/factories.js';
import { startBerth } from '../helpers/berth.js';
import { connect, sessionCookie } from '../helpers/socket.js';
import { startBerthProcess, type BerthProcess } from './berth-process.js';
import { round } from './stats.js';
import { WEB_AND_WORKER } from '../helpers/compose-fixtures.js';

const run = promisify(execFile);
const STACK = WEB_AND_WORKER;

const RUNS = Number(process.env.BERTH_BENCH_DEPLOY_RUNS ?? 11);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function api(
  b: BerthProcess,
  method: string,
  url: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(b.url + url, {
    method,
    headers: { Cookie: b.cookie, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await res.json()) as Record<string, unknown>;
}

async function berthUp(b: BerthProcess, name: string): Promise<number> {
  const start = performance.now();
  const { jobId } = (await api(b, 'POST', `/api/stacks/${name}/up`)) as { jobId: string };
  for (;;) {
    const job = await api(b, 'GET', `/api/jobs/${jobId}`);
    if (job.state !== 'running') {
      if (job.state !== 'succeeded') throw new Error(`up failed: ${String(job.output)}`);
      return performance.now() - start;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Berth's `up` of a 2-service stack vs `docker compose up -d` run directly (fresh each time). */
async function deployOverhead(b: BerthProcess, root: string) {
  const name = 'deploy-bench';
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'compose.yaml'), STACK);
  await new Promise((r) => setTimeout(r, 300));
  const direct: number[] = [];
  const berth: number[] = [];
  const directUp = async () => {
    const t = performance.now();
    await run('docker', ['compose', '-p', name, 'up', '-d', '--remove-orphans'], { cwd: dir });
    return performance.now() - t;
  };
  // Alternate which goes first so drift in the engine's speed favours neither.
  for (let i = 0; i < RUNS; i++) {
    for (const which of i % 2 ? ['berth', 'direct'] : ['direct', 'berth']) {
      await docker(['compose', '-p', name, 'down'], dir);
      if (which === 'direct') direct.push(await directUp());
      else berth.push(await berthUp(b, name));
    }
  }
  await docker(['compose', '-p', name, 'down'], dir);
  return {
    runs: RUNS,
    directMedianMs: round(median(direct)),
    berthMedianMs: round(median(berth)),
    ratio: round(median(berth) / median(direct), 3),
  };
}

/** A shell in a container prints 50 MB; a socket client receives all of it. */
async function throughput(b: BerthProcess, root: string) {
  const name = 'tty-bench';
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'compose.yaml'), STACK);
  await new Promise((r) => setTimeout(r, 300));
  await berthUp(b, name);
  const s = connect(b.url, { Cookie: b.cookie });
  await new Promise((r) => s.once('stacks:list', r));
  const opened = (await s.emitWithAck('exec:open', { stack: name, service: 'worker', shell: 'sh' })) as {
    ok: boolean;
    data: { id: string };
  };
  const id = opened.data.id;
  await s.emitWithAck('terminal:join', { id });
  const bytesWanted = 50 * 1024 * 1024;
  let received = 0;
  let tail = '';
  let peakRss = b.rssMB();
  const rssBefore = peakRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, b.rssMB())), 50);
  const done = new Promise<void>((resolve) => {
    s.on('terminal:output', (m) => {
      if (m.id !== id) return;
      received += m.data.length;
      tail = (tail + m.data).slice(-64);
      if (tail.includes('BENCH-END')) resolve();
    });
  });
  const start = performance.now();
  // 100-character lines of x; the pty turns \n into \r\n, so more bytes arrive than are printed.
  await s.emitWithAck('terminal:input', {
    id,
    data: `head -c ${bytesWanted} /dev/zero | tr '\\0' x | fold -w 100; echo BENCH-E''ND\r`,
  });
  await done;
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  s.disconnect();
  await docker(['compose', '-p', name, 'down'], dir);
  return {
    printedMB: 50,
    receivedMB: round(received / 2 ** 20, 1),
    seconds: round(seconds, 2),
    mbPerSecond: round(received / 2 ** 20 / seconds, 1),
    serverRssBeforeMB: rssBefore,
    serverRssPeakMB: peakRss,
    serverRssGrowthMB: round(peakRss - rssBefore, 1),
  };
}

/** Berth's own pipeline (hub, coalescing, socket.io, client) fed by a local pty: no docker TTY. */
async function pipelineOnly() {
  const t = await startBerth({ login: false });
  try {
    const s = connect(t.url, { Cookie: await sessionCookie(t) });
    await new Promise((r) => s.once('stacks:list', r));
    const id = 'bench:local';
    let received = 0;
    let tail = '';
    const done = new Promise<void>((resolve) => {
      s.on('terminal:output', (m) => {
        received += m.data.length;
        tail = (tail + m.data).slice(-64);
        if (tail.includes('BENCH-END')) resolve();
      });
    });
    const rss0 = process.memoryUsage().rss;
    const start = performance.now();
    t.berth.hub.spawn(
      id,
      'sh',
      ['-c', `head -c ${50 * 1024 * 1024} /dev/zero | tr '\\0' x | fold -w 100; echo BENCH-E''ND`],
      { cwd: t.config.dataDir, interactive: false },
    );
    await s.emitWithAck('terminal:join', { id });
    await done;
    const seconds = (performance.now() - start) / 1000;
    s.disconnect();
    return {
      receivedMB: round(received / 2 ** 20, 1),
      seconds: round(seconds, 2),
      mbPerSecond: round(received / 2 ** 20 / seconds, 1),
      benchProcessRssGrowthMB: round((process.memoryUsage().rss - rss0) / 2 ** 20, 1),
    };
  } finally {
    await t.close();
  }
}

export async function benchTerminals() {
  const tmp = tempDir('berth-bench-term-');
  const root = path.join(tmp.dir, 'stacks');
  mkdirSync(root, { recursive: true });
  const b = await startBerthProcess({ BERTH_STACKS_DIR: root, BERTH_DATA_DIR: path.join(tmp.dir, 'data') });
  try {
    return {
      name: 'terminals',
      deploy: await deployOverhead(b, root),
      throughput: await throughput(b, root),
      pipelineOnly: await pipelineOnly(),
      targets: { deployRatio: 1.15, mbPerSecond: 20, rssGrowthMB: 50 },
    };
  } finally {
    await b.stop();
    tmp.cleanup();
  }
}
