import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  blockBytes,
  containerStats,
  cpuCounters,
  cpuPercent,
  memoryUsed,
  networkBytes,
  type RawStats,
} from '../../../server/src/stats/stats-math.js';

// Captured from dockerd 20.10.24 (API 1.41, cgroup v1) on the test machine: a busybox CPU loop
// read twice with `stream=false&one-shot=true` 2 s apart (`docker stats` said ~66 %), and the
// same loop with plain `stream=false` (the engine fills precpu_stats itself).
const fixture = (name: string): RawStats =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/stats/dockerd-20.10-cgroup1-${name}.json`, import.meta.url), 'utf8'),
  ) as RawStats;

describe('CPU % (the docker CLI formula)', () => {
  it('takes the delta between two one-shot readings of a CPU loop', () => {
    const a = fixture('cpu-a');
    const b = fixture('cpu-b');
    // (cpu delta / system delta) * online cpus * 100, worked out by hand from the two files.
    const cpuDelta = 10_434_807_521 - 9_145_683_100;
    const systemDelta = 1_395_080_000_000 - 1_390_890_000_000;
    const pct = cpuPercent(cpuCounters(a), b);
    expect(pct).not.toBeNull();
    expect(pct).toBeCloseTo((cpuDelta / systemDelta) * 2 * 100, 6);
    expect(pct).toBeGreaterThan(50);
  });

  it('agrees with precpu_stats of a stream=false answer', () => {
    const s = fixture('stream-false') as RawStats & { precpu_stats: RawStats['cpu_stats'] };
    const prev = cpuCounters({ cpu_stats: s.precpu_stats });
    expect(cpuPercent(prev, s)).toBeCloseTo(
      ((3_492_645_695 - 2_687_331_982) / (1_372_570_000_000 - 1_370_550_000_000)) * 200,
      6,
    );
  });

  it('has no figure without a previous reading, nor from the zeros of one-shot precpu', () => {
    const b = fixture('cpu-b') as RawStats & { precpu_stats: RawStats['cpu_stats'] };
    expect(cpuPercent(null, b)).toBeNull();
    expect(cpuCounters({ cpu_stats: b.precpu_stats })).toBeNull();
  });

  it('counts percpu entries when online_cpus is missing (old engines), and never goes negative', () => {
    const prev = { total: 1_000, system: 10_000 };
    const raw: RawStats = {
      cpu_stats: { cpu_usage: { total_usage: 3_000, percpu_usage: [1, 2, 3, 4] }, system_cpu_usage: 20_000 },
    };
    expect(cpuPercent(prev, raw)).toBeCloseTo((2_000 / 10_000) * 4 * 100);
    expect(cpuPercent({ total: 5_000, system: 10_000 }, raw)).toBe(0);
  });
});

describe('memory', () => {
  it('cgroup v1: usage minus total_inactive_file', () => {
    const s = fixture('stream-false');
    expect(memoryUsed(s)).toBe(1_396_736 - 626_688);
  });

  it('cgroup v2: usage minus inactive_file (the v2 stats have no total_* keys)', () => {
    // Shape of a cgroup v2 answer (memory.stat keys); this machine runs v1, so it is written by hand.
    const raw: RawStats = {
      memory_stats: {
        usage: 50_000_000,
        limit: 1e9,
        stats: { anon: 30_000_000, file: 20_000_000, inactive_file: 15_000_000 },
      },
    };
    expect(memoryUsed(raw)).toBe(35_000_000);
  });

  it('keeps usage when the cache figure is missing or not smaller', () => {
    expect(memoryUsed({ memory_stats: { usage: 10, stats: {} } })).toBe(10);
    expect(memoryUsed({ memory_stats: { usage: 10, stats: { total_inactive_file: 20 } } })).toBe(10);
  });
});

describe('network and block IO', () => {
  it('sums every interface', () => {
    expect(networkBytes(fixture('io'))).toEqual({ rx: 736, tx: 0 });
    expect(
      networkBytes({ networks: { eth0: { rx_bytes: 10, tx_bytes: 1 }, eth1: { rx_bytes: 5, tx_bytes: 2 } } }),
    ).toEqual({ rx: 15, tx: 3 });
  });

  it('sums Read and Write over devices (v1 capitalised, v2 lower case), nothing else', () => {
    // This machine's disk reports no blkio (the captured answers carry an empty list).
    expect(blockBytes(fixture('io'))).toEqual({ read: 0, write: 0 });
    const raw: RawStats = {
      blkio_stats: {
        io_service_bytes_recursive: [
          { op: 'Read', value: 4096 },
          { op: 'Write', value: 8192 },
          { op: 'Sync', value: 1 },
          { op: 'Total', value: 12288 },
          { op: 'read', value: 100 },
          { op: 'write', value: 200 },
        ],
      },
    };
    expect(blockBytes(raw)).toEqual({ read: 4196, write: 8392 });
    expect(blockBytes({ blkio_stats: { io_service_bytes_recursive: null } })).toEqual({ read: 0, write: 0 });
  });
});

describe('containerStats', () => {
  it('puts every figure of a reading in the contract shape', () => {
    const s = containerStats('abc', 'web', fixture('cpu-b'), cpuCounters(fixture('cpu-a')));
    expect(s).toMatchObject({
      id: 'abc',
      service: 'web',
      memLimitBytes: 25_275_953_152,
      pids: 1,
      blockReadBytes: 0,
      blockWriteBytes: 0,
    });
    expect(s.cpuPercent).toBeGreaterThan(50);
  });
});
