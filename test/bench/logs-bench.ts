import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import type { LogsBatch } from '../../common/logs.js';
import { ADMIN, startBerth } from '../helpers/berth.js';
import { launchBrowser } from '../helpers/browser.js';
import { docker } from '../helpers/engine.js';
import { container, encodeLog, FakeEngine } from '../helpers/fake-engine.js';
import { tempDir } from '../helpers/factories.js';
import { connect, type ClientSocket } from '../helpers/socket.js';
import { startBerthProcess } from '../helpers/berth-process.js';
import { round, summarize } from './stats.js';

const WEB_ROOT = path.resolve('dist/public');
// 99 characters + the line break: a 100-byte line.
const LINE99 = 'x'.repeat(90) + '-bench-ln';

function makeStack(root: string, name: string, script: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'run.sh'), script);
  writeFileSync(
    path.join(dir, 'compose.yaml'),
    `services:\n  noisy:\n    image: berth-test/busybox:latest\n    command: ["sh", "/run.sh"]\n` +
      `    volumes: ["./run.sh:/run.sh:ro"]\n    stop_signal: SIGKILL\n    network_mode: none\n`,
  );
  return dir;
}

async function subscribe(s: ClientSocket, payload: Record<string, unknown>): Promise<string> {
  const ack = await s.timeout(10_000).emitWithAck('logs:subscribe', payload as never);
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.data.id;
}

const msOf = (ts: string) => Date.parse(ts.slice(0, 23) + 'Z');

/** A container prints N lines of 100 bytes as fast as it can; one socket client counts them. */
async function throughput(root: string, dataDir: string) {
  const total = Number(process.env.BERTH_BENCH_LOG_LINES ?? 300_000);
  const name = `logs-bench-${process.pid}-tp`;
  const dir = makeStack(root, name, `#!/bin/sh\nsleep 4\nyes '${LINE99}' | head -n ${total}\nsleep 3600\n`);
  const b = await startBerthProcess({ BERTH_STACKS_DIR: root, BERTH_DATA_DIR: dataDir });
  try {
    await docker(['compose', '-p', name, 'up', '-d'], dir);
    const s = connect(b.url, { Cookie: b.cookie });
    await new Promise((r) => s.once('stacks:list', r));
    let count = 0;
    let dropped = 0;
    let firstAt = 0;
    let lastAt = 0;
    let firstTs = '';
    let lastTs = '';
    const done = new Promise<void>((resolve) => {
      // One subscription per socket here: every batch is ours, even one that beats the ack.
      s.on('logs:lines', (batch: LogsBatch) => {
        const now = performance.now();
        if (count === 0) {
          firstAt = now;
          firstTs = batch.lines[0]?.ts ?? '';
        }
        count += batch.lines.length;
        dropped += batch.dropped ?? 0;
        lastAt = now;
        lastTs = batch.lines[batch.lines.length - 1]?.ts ?? lastTs;
        if (count + dropped >= total) resolve();
      });
    });
    await subscribe(s, { stack: name, tail: 0 });
    await Promise.race([done, new Promise((r) => setTimeout(r, 180_000))]);
    s.disconnect();
    const seconds = (lastAt - firstAt) / 1000;
    const engineSeconds = (msOf(lastTs) - msOf(firstTs)) / 1000;
    return {
      lines: total,
      received: count,
      dropped,
      linesPerSecond: round(count / seconds, 0),
      // The engine's own stamps: how fast the container's lines went through the log driver.
      engineLinesPerSecond: round(total / engineSeconds, 0),
      seconds: round(seconds, 2),
      serverBuild: b.built ? 'dist' : 'tsx',
    };
  } finally {
    await b.stop();
    await docker(['compose', '-p', name, 'down', '-t', '0'], dir).catch(() => '');
  }
}

/**
 * Berth's own share: the engine replaced by an in-memory stream of the same wire bytes (N framed
 * 100-byte lines), through the hub and socket.io to a client. Server and client share one process.
 */
async function pipeline() {
  const total = Number(process.env.BERTH_BENCH_LOG_LINES ?? 300_000);
  const name = `logs-bench-${process.pid}-pipe`;
  const c = container({ project: name, service: 'noisy' });
  const engine = new FakeEngine([c]);
  const frame = encodeLog({ ts: '2024-05-01T10:00:00.123456789Z', stream: 'stdout', text: LINE99 }, false);
  const wire = Buffer.concat(Array.from({ length: total }, () => frame));
  let served = false;
  engine.logs = async () => {
    if (served) return new PassThrough();
    served = true;
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 32 * 1024) chunks.push(wire.subarray(i, i + 32 * 1024));
    // Yields to I/O between chunks as a socket read would; stays open after, like a follow.
    async function* paced() {
      for (const chunk of chunks) {
        yield chunk;
        await new Promise((r) => setImmediate(r));
      }
    }
    const out = new PassThrough();
    Readable.from(paced()).pipe(out, { end: false });
    return out;
  };
  const t = await startBerth({ overrides: { engine } });
  try {
    const cookie = (await t.anon().post('/api/auth/login').send(ADMIN)).headers['set-cookie'];
    const s = connect(t.url, {
      Cookie: String(Array.isArray(cookie) ? cookie[0] : cookie).split(';')[0] ?? '',
    });
    await new Promise((r) => s.once('stacks:list', r));
    let count = 0;
    let dropped = 0;
    const start = performance.now();
    const done = new Promise<void>((resolve) => {
      s.on('logs:lines', (batch: LogsBatch) => {
        count += batch.lines.length;
        dropped += batch.dropped ?? 0;
        if (count + dropped >= total) resolve();
      });
    });
    await subscribe(s, { stack: name, tail: 0 });
    await Promise.race([done, new Promise((r) => setTimeout(r, 120_000))]);
    const seconds = (performance.now() - start) / 1000;
    s.disconnect();
    return {
      lines: total,
      received: count,
      dropped,
      linesPerSecond: round(count / seconds, 0),
      seconds: round(seconds, 2),
    };
  } finally {
    await t.close();
  }
}

/** RSS of the Berth process while 10 clients follow a container printing ~5,000 lines/s. */
async function rssWithClients(root: string, dataDir: string) {
  const seconds = Number(process.env.BERTH_BENCH_LOG_SECONDS ?? 30);
  const name = `logs-bench-${process.pid}-rss`;
  const dir = makeStack(
    root,
    name,
    `#!/bin/sh\nwhile true; do yes '${LINE99}' | head -n 1000; usleep 200000; done\n`,
  );
  const b = await startBerthProcess({ BERTH_STACKS_DIR: root, BERTH_DATA_DIR: dataDir });
  const clients: ClientSocket[] = [];
  try {
    await docker(['compose', '-p', name, 'up', '-d'], dir);
    await new Promise((r) => setTimeout(r, 3000));
    const baseline = b.rssMB();
    let received = 0;
    for (let i = 0; i < 10; i++) {
      const s = connect(b.url, { Cookie: b.cookie });
      clients.push(s);
      await new Promise((r) => s.once('stacks:list', r));
      s.on('logs:lines', (batch: LogsBatch) => (received += batch.lines.length));
      await subscribe(s, { stack: name, tail: 500 });
    }
    const samples: number[] = [];
    for (let i = 0; i < seconds; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      samples.push(b.rssMB());
    }
    return {
      clients: clients.length,
      seconds,
      baselineMB: baseline,
      maxMB: Math.max(...samples),
      endMB: samples[samples.length - 1] ?? 0,
      growthMB: round(Math.max(...samples) - baseline, 1),
      linesPerSecondPerClient: round(received / clients.length / seconds, 0),
    };
  } finally {
    for (const s of clients) s.disconnect();
    await b.stop();
    await docker(['compose', '-p', name, 'down', '-t', '0'], dir).catch(() => '');
  }
}

/** Click on the logs tab -> first row on screen, in Chromium; cold (new engine stream) and warm. */
async function firstLines(root: string) {
  const name = `logs-bench-${process.pid}-ui`;
  const dir = makeStack(
    root,
    name,
    `#!/bin/sh\ni=0\nwhile true; do i=$((i+1)); echo "line $i"; sleep 1; done\n`,
  );
  await docker(['compose', '-p', name, 'up', '-d'], dir);
  const t = await startBerth({ config: { stacksDir: root }, overrides: { webRoot: WEB_ROOT }, login: false });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(t.url + '/login');
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(t.url + '/');
    const measure = async (): Promise<number> => {
      await page.goto(`${t.url}/stacks/${name}`);
      await page.locator('[data-tab="logs"]').waitFor();
      // Strings: this file is compiled without DOM types; the code runs in the page.
      return Number(
        await page.evaluate(`new Promise((resolve) => {
          const t0 = performance.now();
          document.querySelector('[data-tab="logs"]').click();
          const check = () => document.querySelector('[data-testid="log-row"]')
            ? resolve(performance.now() - t0) : requestAnimationFrame(check);
          check();
        })`),
      );
    };
    await measure(); // loads the LogsView chunk once, as any first visit would
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < 10; i++) {
      // Past the linger time: the engine stream is closed, the click opens a new one.
      await page.goto(`${t.url}/`);
      await new Promise((r) => setTimeout(r, 3500));
      cold.push(await measure());
      warm.push(await measure());
    }
    const firstLines = {
      coldMs: summarize(cold),
      warmMs: summarize(warm),
      allMs: summarize([...cold, ...warm]),
    };

    // Responsiveness while a container prints ~5,000 lines/s into the open tab: the gaps between
    // animation frames over 5 s (a frozen page shows long gaps).
    const noisy = `logs-bench-${process.pid}-ui5k`;
    const noisyDir = makeStack(
      root,
      noisy,
      `#!/bin/sh\nwhile true; do yes '${LINE99}' | head -n 1000; usleep 200000; done\n`,
    );
    await docker(['compose', '-p', noisy, 'up', '-d'], noisyDir);
    try {
      await page.goto(`${t.url}/stacks/${noisy}`);
      await page.locator('[data-tab="logs"]').click();
      await page.getByTestId('log-row').first().waitFor();
      const gaps = (await page.evaluate(`new Promise((resolve) => {
        const gaps = []; let last = performance.now(); const end = last + 5000;
        const tick = (now) => { gaps.push(now - last); last = now; now < end ? requestAnimationFrame(tick) : resolve(gaps); };
        requestAnimationFrame(tick);
      })`)) as number[];
      const count = Number(
        await page.evaluate(
          `document.querySelector('[data-testid="log-count"]').textContent.match(/\\d+/)[0]`,
        ),
      );
      return {
        ...firstLines,
        at5kLinesPerSecond: { frameGapMs: summarize(gaps), frames: gaps.length, linesInWindow: count },
      };
    } finally {
      await docker(['compose', '-p', noisy, 'down', '-t', '0'], noisyDir).catch(() => '');
    }
  } finally {
    await browser.close();
    await t.close();
    await docker(['compose', '-p', name, 'down', '-t', '0'], dir).catch(() => '');
  }
}

export async function benchLogs() {
  const tmp = tempDir('berth-bench-logs-');
  try {
    const root = path.join(tmp.dir, 'stacks');
    mkdirSync(root, { recursive: true });
    const pipe = await pipeline();
    const tp = await throughput(root, path.join(tmp.dir, 'data-tp'));
    const rss = await rssWithClients(root, path.join(tmp.dir, 'data-rss'));
    const first = await firstLines(root);
    return {
      name: 'logs',
      throughput: tp,
      berthOnlyThroughput: pipe,
      rssTenClients: rss,
      firstLinesOnScreen: first,
      targets: { linesPerSecond: 50_000, rssGrowthMB: 50, firstLinesP95Ms: 300 },
    };
  } finally {
    tmp.cleanup();
  }
}
