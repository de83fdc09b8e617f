import { describe, expect, it } from 'vitest';
import type { ContainerStats, StackStatsSample } from '../../../common/stats';
import { currentByService, formatBytes, rate, stackSeries } from '../../../frontend/src/lib/stats-format';

const c = (over: Partial<ContainerStats>): ContainerStats => ({
  id: 'a',
  service: 'web',
  cpuPercent: 10,
  memBytes: 100,
  memLimitBytes: 1000,
  netRxBytes: 0,
  netTxBytes: 0,
  blockReadBytes: 0,
  blockWriteBytes: 0,
  pids: 1,
  ...over,
});

describe('stats figures for charts and tables', () => {
  it('formats bytes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(64 * 1024 * 1024)).toBe('64.0 MiB');
    expect(formatBytes(null)).toBe('—');
  });

  it('a counter going down (restart) reads as no traffic', () => {
    expect(rate(100, 300, 2)).toBe(100);
    expect(rate(300, 100, 2)).toBe(0);
  });

  it('per service series sum replicas, totals and IO rates per container', () => {
    const samples: StackStatsSample[] = [
      {
        at: 0,
        containers: [c({ id: 'a', cpuPercent: null, netRxBytes: 1000 }), c({ id: 'b', service: 'db' })],
      },
      {
        at: 2000,
        containers: [
          c({ id: 'a', cpuPercent: 50, netRxBytes: 3000, blockWriteBytes: 10 }),
          c({ id: 'a2', cpuPercent: 25, netRxBytes: 99_999 }),
          c({ id: 'b', service: 'db', cpuPercent: 5, memBytes: 400 }),
        ],
      },
    ];
    const s = stackSeries(samples);
    expect(s.x).toEqual([0, 2]);
    expect(s.services).toEqual(['db', 'web']);
    expect(s.cpu).toEqual([
      [10, 5],
      [null, 75],
    ]);
    expect(s.mem[0]).toEqual([100, 400]);
    expect(s.cpuTotal).toEqual([10, 80]);
    expect(s.memTotal).toEqual([200, 600]);
    // The new replica a2 has no earlier sample: its bytes are not a burst.
    expect(s.netIn).toEqual([null, 1000]);
    expect(s.blockWrite).toEqual([null, 5]);
    const now = currentByService(samples[1]);
    expect(now.get('web')).toMatchObject({ cpuPercent: 75, memBytes: 200, pids: 2 });
  });
});
