import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Ack } from '../../common/events.js';
import type { StatsSubscribeReply } from '../../common/stats.js';
import { CountingProxy } from '../helpers/counting-proxy.js';
import { docker } from '../helpers/engine.js';
import { tempDir } from '../helpers/factories.js';
import { connect, type ClientSocket } from '../helpers/socket.js';
import { startBerthProcess } from '../helpers/berth-process.js';
import { round } from './stats.js';

const CONTAINERS = 10;
const WINDOW_S = Number(process.env.BERTH_BENCH_STATS_SECONDS ?? 30);

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

/**
 * A stack of 10 running containers; Berth as its own process talking to the engine through a
 * counting proxy. For 0, 1 and 10 clients watching the stack: stats requests per second reaching
 * the engine and Berth's CPU (% of one core), each over a window of 30 s.
 */
export async function benchStats(): Promise<{ name: string; [k: string]: unknown }> {
  const tmp = tempDir('berth-bench-stats-');
  const stacksDir = path.join(tmp.dir, 'stacks');
  const stack = `stats-bench-${process.pid}`;
  mkdirSync(path.join(stacksDir, stack), { recursive: true });
  const services = Array.from(
    { length: CONTAINERS },
    (_, i) =>
      `  s${i}:\n    image: berth-test/busybox:latest\n    command: ["sleep", "3600"]\n    stop_signal: SIGKILL\n    network_mode: none\n`,
  ).join('');
  writeFileSync(path.join(stacksDir, stack, 'compose.yaml'), `services:\n${services}`);
  await docker(['compose', '-p', stack, 'up', '-d'], path.join(stacksDir, stack));
  const proxy = await new CountingProxy().start();
  const b = await startBerthProcess({
    BERTH_STACKS_DIR: stacksDir,
    BERTH_DATA_DIR: path.join(tmp.dir, 'data'),
    DOCKER_HOST: `unix://${proxy.socketPath}`,
  });
  const pid = b.child.pid ?? 0;
  const clk = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const clients: ClientSocket[] = [];

  async function measure(label: string, watchers: number) {
    while (clients.length < watchers) {
      const s = connect(b.url, { Cookie: b.cookie });
      const ack = (await s.emitWithAck('stats:subscribe', { stack })) as Ack<StatsSubscribeReply>;
      if (!ack.ok) throw new Error(ack.error.message);
      clients.push(s);
    }
    // Let the first ticks pass, so the window sees the steady state.
    await new Promise((r) => setTimeout(r, 4_000));
    const since = Date.now();
    const requests0 = proxy.requests.length;
    const ticks0 = cpuTicks(pid);
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const seconds = (Date.now() - since) / 1000;
    return {
      label,
      watchers,
      statsRequestsPerSecond: round(proxy.stats(since).length / seconds, 2),
      engineRequestsPerSecond: round((proxy.requests.length - requests0) / seconds, 2),
      berthCpuPercentOfOneCore: round(((cpuTicks(pid) - ticks0) / clk / seconds) * 100, 2),
    };
  }

  try {
    const idle = await measure('idle', 0);
    const one = await measure('1 client', 1);
    const ten = await measure('10 clients', 10);
    for (const s of clients.splice(0)) s.disconnect();
    const after = await measure('after the last client left', 0);
    return {
      name: 'stats',
      containers: CONTAINERS,
      windowSeconds: WINDOW_S,
      rssMB: b.rssMB(),
      results: [idle, one, ten, after],
    };
  } finally {
    for (const s of clients) s.disconnect();
    await b.stop();
    await proxy.close();
    await docker(['compose', '-p', stack, 'down', '-t', '0'], path.join(stacksDir, stack)).catch(() => '');
    tmp.cleanup();
  }
}
