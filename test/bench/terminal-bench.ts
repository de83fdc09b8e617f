import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { docker } from '../helpers/engine.js';
import { tempDir } from '../helpers/factories.js';
import { startBerth } from '../helpers/berth.js';
import { connect, sessionCookie, type ClientSocket } from '../helpers/socket.js';
import { startBerthProcess, type BerthProcess } from '../helpers/berth-process.js';
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
    headers: { Cookie: b.cookie, Origin: b.url, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return (await res.json()) as Record<string, unknown>;
}

/** Berth's `up` as a client polling the job every `pollMs` sees it. */
async function berthUpPolled(b: BerthProcess, name: string, pollMs = 50): Promise<number> {
  const start = performance.now();
  const { jobId } = (await api(b, 'POST', `/api/stacks/${name}/up`)) as { jobId: string };
  for (;;) {
    const job = await api(b, 'GET', `/api/jobs/${jobId}`);
    if (job.state !== 'running') {
      if (job.state !== 'succeeded') throw new Error(`up failed: ${String(job.output)}`);
      return performance.now() - start;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Berth's `up` as the web UI sees it: POST, then the action terminal's `terminal:exit`. */
async function berthUp(b: BerthProcess, s: ClientSocket, name: string): Promise<number> {
  const terminal = `stack:${name}`;
  // The exit reaches members of the terminal's room; joining again is harmless.
  await s.emitWithAck('terminal:join', { id: terminal });
  const start = performance.now();
  const exited = new Promise<number>((resolve) => {
    const onExit = (m: { id: string; exitCode: number }) => {
      if (m.id !== terminal) return;
      s.off('terminal:exit', onExit);
      resolve(m.exitCode);
    };
    s.on('terminal:exit', onExit);
  });
  await api(b, 'POST', `/api/stacks/${name}/up`);
  const code = await exited;
  if (code !== 0) throw new Error(`up failed with exit code ${code}`);
  return performance.now() - start;
}

/** A logged-in socket client that has its stack list (the UI's state after load). */
async function client(b: BerthProcess): Promise<ClientSocket> {
  const s = connect(b.url, { Cookie: b.cookie });
  await new Promise((r) => s.once('stacks:list', r));
  return s;
}

/**
 * Berth's `up` of a 2-service stack vs `docker compose up -d` run directly (fresh each time).
 * Berth's figure is what the UI sees (POST, then `terminal:exit` on the socket); a client that
 * polls GET /api/jobs every 50 ms is reported beside it.
 */
async function deployOverhead(b: BerthProcess, root: string) {
  const name = 'deploy-bench';
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'compose.yaml'), STACK);
  await new Promise((r) => setTimeout(r, 300));
  const s = await client(b);
  const times: Record<'direct' | 'berth' | 'berthPolled', number[]> = {
    direct: [],
    berth: [],
    berthPolled: [],
  };
  const measure = {
    direct: async () => {
      const t = performance.now();
      await run('docker', ['compose', '-p', name, 'up', '-d', '--remove-orphans'], { cwd: dir });
      return performance.now() - t;
    },
    berth: () => berthUp(b, s, name),
    berthPolled: () => berthUpPolled(b, name),
  };
  const order = Object.keys(measure) as (keyof typeof measure)[];
  // Rotate which goes first so drift in the engine's speed favours none.
  for (let i = 0; i < RUNS; i++) {
    for (let k = 0; k < order.length; k++) {
      const which = order[(i + k) % order.length]!;
      await docker(['compose', '-p', name, 'down'], dir);
      times[which].push(await measure[which]());
    }
  }
  await docker(['compose', '-p', name, 'down'], dir);
  s.disconnect();
  return {
    runs: RUNS,
    directMedianMs: round(median(times.direct)),
    berthMedianMs: round(median(times.berth)),
    ratio: round(median(times.berth) / median(times.direct), 3),
    berthPolled50msMedianMs: round(median(times.berthPolled)),
    ratioPolled50ms: round(median(times.berthPolled) / median(times.direct), 3),
  };
}

/** Seconds `docker exec -t` alone takes to carry `cmd`'s output into /dev/null: the engine's own ceiling. */
async function engineOnlySeconds(container: string, cmd: string): Promise<number> {
  const devNull = openSync('/dev/null', 'w');
  try {
    const t = performance.now();
    const child = spawn('docker', ['exec', '-t', container, 'sh', '-c', cmd], {
      stdio: ['ignore', devNull, 'ignore'],
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`docker exec -t ${container} failed with ${String(code)}`);
    return (performance.now() - t) / 1000;
  } finally {
    closeSync(devNull);
  }
}

/**
 * A container prints 50 MB into a shell opened through `exec:open`; a socket client receives all
 * of it. Two producers: `cat` of a 50 MB file of 100-character lines (bulk writes, like printing a
 * log file), and the same lines made on the fly by `fold`, which under a TTY writes once per line:
 * half a million writes through the container's pty, which caps even `docker exec -t` alone.
 */
async function throughput(b: BerthProcess, root: string) {
  const name = 'tty-bench';
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'compose.yaml'), STACK);
  await new Promise((r) => setTimeout(r, 300));
  const s = await client(b);
  await berthUp(b, s, name);
  const bytesWanted = 50 * 1024 * 1024;
  const container = `${name}-worker-1`;
  const generate = `head -c ${bytesWanted} /dev/zero | tr '\\0' x | fold -w 100`;
  await run('docker', ['exec', container, 'sh', '-c', `${generate} > /tmp/lines.txt`]);
  const producers = { bulk: 'cat /tmp/lines.txt', lineBuffered: generate };

  const measureOne = async (cmd: string) => {
    const opened = (await s.emitWithAck('exec:open', { stack: name, service: 'worker', shell: 'sh' })) as {
      ok: boolean;
      data: { id: string };
    };
    const id = opened.data.id;
    await s.emitWithAck('terminal:join', { id });
    let received = 0;
    let tail = '';
    let peakRss = b.rssMB();
    const rssBefore = peakRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, b.rssMB())), 50);
    const onOutput = (m: { id: string; data: string }) => {
      if (m.id !== id) return;
      received += m.data.length;
      tail = (tail + m.data).slice(-64);
    };
    s.on('terminal:output', onOutput);
    const start = performance.now();
    // The marker is split in the typed line so its echo does not end the wait.
    await s.emitWithAck('terminal:input', { id, data: `${cmd}; echo BENCH-E''ND\r` });
    while (!tail.includes('BENCH-END')) await new Promise((r) => setTimeout(r, 2));
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    s.off('terminal:output', onOutput);
    await s.emitWithAck('terminal:input', { id, data: 'exit\r' });
    const engineSeconds = await engineOnlySeconds(container, cmd);
    return {
      // The pty turns \n into \r\n, so more bytes arrive than are printed.
      receivedMB: round(received / 2 ** 20, 1),
      seconds: round(seconds, 2),
      mbPerSecond: round(received / 2 ** 20 / seconds, 1),
      engineOnlySeconds: round(engineSeconds, 2),
      engineOnlyMbPerSecond: round(received / 2 ** 20 / engineSeconds, 1),
      serverRssBeforeMB: rssBefore,
      serverRssPeakMB: peakRss,
      serverRssGrowthMB: round(peakRss - rssBefore, 1),
    };
  };
  try {
    return {
      printedMB: 50,
      bulk: await measureOne(producers.bulk),
      lineBuffered: await measureOne(producers.lineBuffered),
    };
  } finally {
    s.disconnect();
    await docker(['compose', '-p', name, 'down'], dir);
  }
}

/** Berth's own pipeline (hub, coalescing, socket.io, client) fed by `cat` in a local pty: no docker. */
async function pipelineOnly() {
  const t = await startBerth({ login: false });
  try {
    const lines = path.join(t.config.dataDir, 'lines.txt');
    const end = path.join(t.config.dataDir, 'end.txt');
    writeFileSync(lines, ('x'.repeat(99) + '\n').repeat((50 * 1024 * 1024) / 100));
    writeFileSync(end, 'BENCH-END\n');
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
    t.berth.hub.spawn(id, 'cat', [lines, end], { cwd: t.config.dataDir, interactive: false });
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
      // deployRatio is deploy.ratio; mbPerSecond and rssGrowthMB are throughput.bulk's.
      targets: { deployRatio: 1.15, mbPerSecond: 20, rssGrowthMB: 50 },
    };
  } finally {
    await b.stop();
    tmp.cleanup();
  }
}
