import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DOCKER_DEFAULT_POOLS,
  poolUsage,
  readDaemonPools,
} from '../../../server/src/resources/address-pools.js';

describe('address pools', () => {
  it("Docker's defaults hold 31 networks", () => {
    expect(poolUsage(DOCKER_DEFAULT_POOLS, [], 'defaults')).toMatchObject({
      capacity: 31,
      used: 0,
      warning: null,
    });
  });

  it('counts the blocks networks take, inside the pools only', () => {
    const u = poolUsage(
      DOCKER_DEFAULT_POOLS,
      ['172.17.0.0/16', '192.168.0.0/20', '192.168.16.0/24', '10.0.0.0/8'],
      'defaults',
    );
    expect(u).toMatchObject({ capacity: 31, used: 3, warning: null });
  });

  it('a subnet larger than a block takes every block it covers', () => {
    expect(poolUsage([{ base: '10.0.0.0/24', size: 28 }], ['10.0.0.0/26'], 'daemon.json').used).toBe(4);
  });

  it('warns with three blocks left, and says how to widen the pools', () => {
    const subnets = Array.from({ length: 28 }, (_, i) =>
      i < 15 ? `172.${17 + i}.0.0/16` : `192.168.${(i - 15) * 16}.0/20`,
    );
    const u = poolUsage(DOCKER_DEFAULT_POOLS, subnets, 'defaults');
    expect(u).toMatchObject({ used: 28, capacity: 31 });
    expect(u.warning).toContain('only 3 more networks');
    expect(u.warning).toContain('default-address-pools');
    expect(poolUsage(DOCKER_DEFAULT_POOLS, subnets.slice(0, 27), 'defaults').warning).toBeNull();
  });

  it('reads default-address-pools from daemon.json, null when absent or broken', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'res-pools-'));
    const file = path.join(dir, 'daemon.json');
    writeFileSync(file, JSON.stringify({ 'default-address-pools': [{ base: '10.10.0.0/16', size: 24 }] }));
    expect(await readDaemonPools(file)).toEqual([{ base: '10.10.0.0/16', size: 24 }]);
    writeFileSync(file, '{"debug": true}');
    expect(await readDaemonPools(file)).toBeNull();
    writeFileSync(file, '{not json');
    expect(await readDaemonPools(file)).toBeNull();
    expect(await readDaemonPools(path.join(dir, 'missing.json'))).toBeNull();
  });
});
