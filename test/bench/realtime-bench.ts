import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import Docker from 'dockerode';
import { startBerth } from '../helpers/berth.js';
import { startBerthProcess } from '../helpers/berth-process.js';
import { docker } from '../helpers/engine.js';
import { tempDir } from '../helpers/factories.js';
import { connect, sessionCookie, StackWatch } from '../helpers/socket.js';
import { round, summarize } from './stats.js';

const SERVICE = `services:\n  app:\n    image: berth-test/busybox:latest\n    command: sleep 3600\n    stop_signal: SIGKILL\n    network_mode: none\n`;

function makeStacks(root: string, count: number, prefix: string): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}-${String(i).padStart(4, '0')}`;
    mkdirSync(path.join(root, name), { recursive: true });
    writeFileSync(path.join(root, name, 'compose.yaml'), SERVICE);
    names.push(name);
  }
  return names;
}

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

const up = (root: string, name: string) => docker(['compose', '-p', name, 'up', '-d'], path.join(root, name));
const down = (root: string, name: string) =>
  docker(['compose', '-p', name, 'down', '--remove-orphans'], path.join(root, name)).catch(() => '');

/** 1000 stack folders (50 running): socket connect -> stacks:list; then push latency. */
async function listAndPush(root: string) {
  const names = makeStacks(root, 1000, 'bench');
  const running = names.slice(0, 50);
  await inBatches(running, 5, (n) => up(root, n));
  const t = await startBerth({ config: { stacksDir: root } });
  try {
    const cookie = await sessionCookie(t);
    const listMs: number[] = [];
    let listed = 0;
    for (let i = 0; i < 20; i++) {
      const start = performance.now();
      const s = connect(t.url, { Cookie: cookie });
      const list = await new Promise<unknown[]>((resolve) => s.once('stacks:list', resolve));
      listMs.push(performance.now() - start);
      listed = list.length;
      s.disconnect();
    }

    // Push latency: from the engine's own event time to the client's receipt of stack:changed.
    const engine = new Docker();
    const watch = new StackWatch(connect(t.url, { Cookie: cookie }));
    await new Promise((r) => watch.socket.once('stacks:list', r));
    const target = running[0] ?? '';
    const id = (await docker(['compose', '-p', target, 'ps', '-q', 'app'], path.join(root, target))).trim();
    const events = (await engine.getEvents({
      filters: { container: [id], event: ['die', 'start'] },
    })) as NodeJS.ReadableStream;
    const eventTimes: number[] = [];
    createInterface({ input: events as NodeJS.ReadableStream }).on('line', (line) => {
      const e = JSON.parse(line) as { timeNano: number };
      eventTimes.push(e.timeNano / 1e6);
    });
    const latencies: number[] = [];
    const container = engine.getContainer(id);
    const waitFor = async (status: string) => {
      const deadline = Date.now() + 10_000;
      while (watch.status(target) !== status) {
        if (Date.now() > deadline) throw new Error(`no ${status} push for ${target}`);
        await new Promise((r) => setImmediate(r));
      }
      return Date.now();
    };
    for (let i = 0; i < 50; i++) {
      const before = eventTimes.length;
      await container.stop({ t: 0 });
      const got = await waitFor('exited');
      while (eventTimes.length === before) await new Promise((r) => setTimeout(r, 1));
      latencies.push(got - (eventTimes[before] ?? got));
      const beforeStart = eventTimes.length;
      await container.start();
      const gotStart = await waitFor('running');
      while (eventTimes.length === beforeStart) await new Promise((r) => setTimeout(r, 1));
      latencies.push(gotStart - (eventTimes[beforeStart] ?? gotStart));
    }
    (events as unknown as { destroy: () => void }).destroy();
    watch.socket.disconnect();
    return {
      stacks: names.length,
      running: running.length,
      connectToListMs: { ...summarize(listMs), stacksInList: listed },
      eventToPushMs: { ...summarize(latencies), cycles: 50 },
    };
  } finally {
    await t.close();
    await inBatches(running, 5, (n) => down(root, n));
  }
}

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

/** 200 stacks (20 running), Berth as its own process with one browser-like client, idle 60 s. */
async function idle(root: string, dataDir: string, seconds: number) {
  const names = makeStacks(root, 200, 'idle');
  const running = names.slice(0, 20);
  await inBatches(running, 5, (n) => up(root, n));
  // Every docker CLI call Berth makes goes through this wrapper and is counted.
  const bin = path.join(dataDir, 'bin');
  mkdirSync(bin, { recursive: true });
  const log = path.join(dataDir, 'docker-calls.log');
  writeFileSync(log, '');
  const realDocker = execFileSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).trim();
  writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${realDocker}' "$@"\n`);
  chmodSync(path.join(bin, 'docker'), 0o755);
  const b = await startBerthProcess({
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    BERTH_STACKS_DIR: root,
    BERTH_DATA_DIR: dataDir,
  });
  const pid = b.child.pid ?? 0;
  try {
    const s = connect(b.url, { Cookie: b.cookie });
    await new Promise((r) => s.once('stacks:list', r));
    await new Promise((r) => setTimeout(r, 2000)); // let start-up settle
    const callsBefore = readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
    const ticks0 = cpuTicks(pid);
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const ticks1 = cpuTicks(pid);
    const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean).length - callsBefore;
    const clk = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    s.disconnect();
    return {
      stacks: names.length,
      running: running.length,
      seconds,
      cpuPercent: round(((ticks1 - ticks0) / clk / seconds) * 100, 3),
      rssMB: b.rssMB(),
      dockerProcessesSpawned: calls,
      serverBuild: b.built ? 'dist' : 'tsx',
    };
  } finally {
    await b.stop();
    await inBatches(running, 5, (n) => down(root, n));
  }
}

export async function benchRealtime() {
  const a = tempDir('berth-bench-rt-');
  const b = tempDir('berth-bench-idle-');
  try {
    const lp = await listAndPush(path.join(a.dir, 'stacks'));
    const idleSeconds = Number(process.env.BERTH_BENCH_IDLE_SECONDS ?? 60);
    const id = await idle(path.join(b.dir, 'stacks'), path.join(b.dir, 'data'), idleSeconds);
    return {
      name: 'realtime',
      ...lp,
      idle: id,
      targets: { connectToListP50Ms: 100, eventToPushP95Ms: 300, idleCpuPercent: 1, idleDockerProcesses: 0 },
    };
  } finally {
    a.cleanup();
    b.cleanup();
  }
}
