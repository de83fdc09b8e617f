import { describe, expect, it } from 'vitest';
import {
  HostProbe,
  hostCpuPercent,
  parseLoadavg,
  parseMeminfo,
  parseProcStat,
  type HostFiles,
} from '../../../server/src/stats/host-probe.js';

const STAT_A = 'cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 50 0 25 400 25 0 0 0 0 0\nintr 1\n';
const STAT_B = 'cpu  250 0 100 900 50 0 0 0 0 0\ncpu0 1 1 1 1 1 0 0 0 0 0\n';
const MEMINFO =
  'MemTotal:        2000000 kB\nMemFree:          100000 kB\nMemAvailable:     500000 kB\nCached: 1 kB\n';

function files(stat: string[]): HostFiles & { statfsCalls: string[] } {
  const statfsCalls: string[] = [];
  return {
    statfsCalls,
    read: (p) =>
      Promise.resolve(
        p === '/proc/stat'
          ? (stat.shift() ?? '')
          : p === '/proc/loadavg'
            ? '0.50 1.25 2.00 1/100 42\n'
            : MEMINFO,
      ),
    statfs: (p) => {
      statfsCalls.push(p);
      if (p === '/gone') return Promise.reject(new Error('ENOENT'));
      return Promise.resolve({ blocks: 1000, bfree: 250, bsize: 4096 });
    },
    cpus: () => 2,
  };
}

describe('host figures', () => {
  it('reads the cpu line of /proc/stat: idle and iowait are not busy', () => {
    expect(parseProcStat(STAT_A)).toEqual({ busy: 150, total: 1000 });
    expect(parseProcStat('nonsense')).toBeNull();
  });

  it('CPU % is the busy share between two readings', () => {
    expect(hostCpuPercent(parseProcStat(STAT_A), parseProcStat(STAT_B))).toBeCloseTo((200 / 300) * 100);
    expect(hostCpuPercent(null, parseProcStat(STAT_B))).toBeNull();
  });

  it('memory used is MemTotal - MemAvailable, in bytes', () => {
    expect(parseMeminfo(MEMINFO)).toEqual({ memTotal: 2_000_000 * 1024, memUsed: 1_500_000 * 1024 });
    // Kernels before 3.14 have no MemAvailable.
    expect(parseMeminfo('MemTotal: 100 kB\nMemFree: 10 kB\nCached: 20 kB\nBuffers: 5 kB\n')).toEqual({
      memTotal: 102_400,
      memUsed: 65 * 1024,
    });
  });

  it('load is the three averages', () => {
    expect(parseLoadavg('0.50 1.25 2.00 1/100 42\n')).toEqual([0.5, 1.25, 2]);
  });

  it('a probe gives CPU from its second reading on, disks it can see, and forgets on reset', async () => {
    const f = files([STAT_A, STAT_B, STAT_A]);
    const probe = new HostProbe(f, () => ['/stacks', '/gone', '/stacks']);
    const first = await probe.read();
    expect(first.cpuPercent).toBeNull();
    expect(first.disks).toEqual([{ path: '/stacks', total: 4_096_000, used: 3_072_000 }]);
    expect(f.statfsCalls).toEqual(['/stacks', '/gone']);
    expect((await probe.read()).cpuPercent).toBeCloseTo(66.667, 2);
    probe.reset();
    expect((await probe.read()).cpuPercent).toBeNull();
  });

  it('a snapshot leaves the CPU counters alone', async () => {
    const probe = new HostProbe(files([STAT_A, STAT_B]), () => []);
    await probe.read();
    await probe.snapshot();
    expect((await probe.read()).cpuPercent).toBeCloseTo(66.667, 2);
  });
});
