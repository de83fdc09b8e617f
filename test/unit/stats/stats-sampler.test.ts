import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StackStatsSample, HostStatsSample } from '../../../common/stats.js';
import type { RawStats } from '../../../server/src/engine/engine-client.js';
import { silentLogger } from '../../../server/src/logger.js';
import { HostProbe, type HostFiles } from '../../../server/src/stats/host-probe.js';
import { StatsSampler, type RunningContainer } from '../../../server/src/stats/stats-sampler.js';
import { FakeEngine } from '../../helpers/fake-engine.js';

const hostFiles: HostFiles = {
  read: (p) =>
    Promise.resolve(
      p === '/proc/stat'
        ? `cpu  ${Date.now()} 0 0 ${Date.now()} 0 0 0 0\n`
        : p === '/proc/loadavg'
          ? '1 2 3 1/1 1'
          : 'MemTotal: 1000 kB\nMemAvailable: 400 kB\n',
    ),
  statfs: () => Promise.resolve({ blocks: 10, bfree: 5, bsize: 1 }),
  cpus: () => 4,
};

/** A reading whose CPU counters grow by `cpu` ns per 1e9 ns of system time at each call. */
function raw(total: number, system: number, mem = 1000): RawStats {
  return {
    cpu_stats: { cpu_usage: { total_usage: total }, system_cpu_usage: system, online_cpus: 4 },
    memory_stats: { usage: mem, limit: 10_000, stats: { total_inactive_file: 0 } },
    networks: { eth0: { rx_bytes: 5, tx_bytes: 7 } },
    pids_stats: { current: 3 },
  };
}

let engine: FakeEngine;
let running: RunningContainer[];
let sampler: StatsSampler;
let beforeHost: ReturnType<typeof vi.fn<() => Promise<void>>>;

beforeEach(() => {
  vi.useFakeTimers();
  engine = new FakeEngine();
  running = [
    { id: 'a1', stack: 'alpha', service: 'web' },
    { id: 'a2', stack: 'alpha', service: 'db' },
    { id: 'b1', stack: 'beta', service: 'app' },
  ];
  for (const c of running) engine.stats.set(c.id, raw(1e9, 1e10));
  beforeHost = vi.fn<() => Promise<void>>(() => Promise.resolve());
  sampler = new StatsSampler(
    engine,
    { running: () => running },
    new HostProbe(hostFiles, () => ['/x']),
    silentLogger(),
    { intervalMs: 2000, historyMs: 10_000, concurrency: 2, beforeHost },
  );
});
afterEach(() => {
  sampler.close();
  vi.useRealTimers();
});

/** Lets the pending tick run to its end. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('StatsSampler', () => {
  it('samples nothing until someone watches, and only the watched stack', async () => {
    await vi.advanceTimersByTimeAsync(10_000);
    expect(engine.statsCalls).toBe(0);
    const got: StackStatsSample[] = [];
    const sub = sampler.subscribe({ stack: 'alpha' }, (s) => got.push(s as StackStatsSample));
    expect(sub.scope).toBe('stack');
    expect(sub.cpus).toBe(4);
    await settle();
    expect(engine.statsCalls).toBe(2);
    expect(got).toHaveLength(1);
    expect(got[0]?.containers.map((c) => c.service)).toEqual(['db', 'web']);
    expect(got[0]?.containers[0]?.cpuPercent).toBeNull();
    // The next reading has a delta: 0.5e9 of 5e9 system ns on 4 cores = 40 %.
    engine.stats.set('a1', raw(1.5e9, 1.5e10));
    await vi.advanceTimersByTimeAsync(2000);
    expect(got).toHaveLength(2);
    expect(got[1]?.containers.find((c) => c.id === 'a1')?.cpuPercent).toBeCloseTo(40);
    expect(got[1]?.containers.find((c) => c.id === 'a1')).toMatchObject({
      memBytes: 1000,
      memLimitBytes: 10_000,
      netRxBytes: 5,
      netTxBytes: 7,
      pids: 3,
    });
  });

  it('reads each container once per tick for all viewers and stops with the last one', async () => {
    const a = sampler.subscribe({ stack: 'alpha' }, () => undefined);
    const b = sampler.subscribe({ stack: 'alpha' }, () => undefined);
    await settle();
    await vi.advanceTimersByTimeAsync(2000);
    expect(engine.statsCalls).toBe(4);
    a.close();
    await vi.advanceTimersByTimeAsync(2000);
    expect(engine.statsCalls).toBe(6);
    b.close();
    expect(sampler.watching).toBe(false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(engine.statsCalls).toBe(6);
  });

  it('a new viewer gets the kept history at once, trimmed to the window', async () => {
    const first = sampler.subscribe({ stack: 'alpha' }, () => undefined);
    await settle();
    await vi.advanceTimersByTimeAsync(4000);
    const second = sampler.subscribe({ stack: 'alpha' }, () => undefined);
    const history = second.history as StackStatsSample[];
    expect(history).toHaveLength(3);
    expect(history.every((s) => s.containers.length === 2)).toBe(true);
    expect(history.map((s) => s.at)).toEqual([...history.map((s) => s.at)].sort());
    second.close();
    first.close();
    // Long after, a viewer sees nothing stale; its first tick starts CPU over.
    await vi.advanceTimersByTimeAsync(60_000);
    const late = sampler.subscribe({ stack: 'alpha' }, () => undefined);
    expect(late.history).toEqual([]);
    late.close();
  });

  it('a quick return (page to page) keeps the CPU delta; after a long pause it starts over', async () => {
    const got: StackStatsSample[] = [];
    sampler.subscribe({ stack: 'alpha' }, () => undefined).close();
    await settle();
    engine.stats.set('a1', raw(1.5e9, 1.5e10));
    const again = sampler.subscribe({ stack: 'alpha' }, (s) => got.push(s as StackStatsSample));
    await settle();
    expect(got[0]?.containers.find((c) => c.id === 'a1')?.cpuPercent).toBeCloseTo(40);
    again.close();
    await vi.advanceTimersByTimeAsync(60_000);
    engine.stats.set('a1', raw(2e9, 2e10));
    sampler.subscribe({ stack: 'alpha' }, (s) => got.push(s as StackStatsSample));
    await settle();
    expect(got[1]?.containers.find((c) => c.id === 'a1')?.cpuPercent).toBeNull();
  });

  it('host scope reads every running container, sums per stack, and learns the data root first', async () => {
    const got: HostStatsSample[] = [];
    engine.stats.set('b1', raw(1e9, 1e10, 5000));
    const sub = sampler.subscribe({ scope: 'host' }, (s) => got.push(s as HostStatsSample));
    expect(sub.scope).toBe('host');
    await settle();
    expect(beforeHost).toHaveBeenCalledTimes(1);
    expect(engine.statsCalls).toBe(3);
    expect(got[0]).toMatchObject({
      load: [1, 2, 3],
      memTotal: 1_024_000,
      memUsed: 614_400,
      disks: [{ path: '/x' }],
    });
    expect(got[0]?.stacks).toEqual([
      { name: 'beta', cpuPercent: 0, memBytes: 5000 },
      { name: 'alpha', cpuPercent: 0, memBytes: 2000 },
    ]);
    engine.stats.set('a1', raw(2e9, 1.5e10));
    await vi.advanceTimersByTimeAsync(2000);
    expect(got[1]?.stacks[0]).toMatchObject({ name: 'alpha', cpuPercent: 80 });
    expect(got[1]?.cpuPercent).not.toBeNull();
    // The host watch also fills the stacks' rings: a stack viewer gets history at once.
    expect(sampler.subscribe({ stack: 'beta' }, () => undefined).history).toHaveLength(2);
  });

  it('skips a container that fails or is gone, and forgets stopped ones', async () => {
    engine.stats.delete('a2');
    const got: StackStatsSample[] = [];
    sampler.subscribe({ stack: 'alpha' }, (s) => got.push(s as StackStatsSample));
    await settle();
    expect(got[0]?.containers.map((c) => c.id)).toEqual(['a1']);
    running = running.filter((c) => c.id !== 'a1');
    await vi.advanceTimersByTimeAsync(2000);
    expect(got[1]?.containers).toEqual([]);
  });

  it('keeps sampling when the engine is away, and does not pile ticks up', async () => {
    engine.stop();
    const got: StackStatsSample[] = [];
    sampler.subscribe({ stack: 'alpha' }, (s) => got.push(s as StackStatsSample));
    await settle();
    await vi.advanceTimersByTimeAsync(4000);
    expect(got.map((s) => s.containers.length)).toEqual([0, 0, 0]);
  });
});
