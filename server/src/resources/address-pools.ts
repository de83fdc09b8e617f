import { readFile } from 'node:fs/promises';
import type { PoolUsage } from '../../../common/resources.js';

export interface Pool {
  base: string;
  size: number;
}

/**
 * Docker's built-in local pools (libnetwork ipamutils, 20.10): 172.17-31.0.0/16 as /16 each and
 * 192.168.0.0/16 as /20: 31 networks, the default bridge taking the first.
 */
export const DOCKER_DEFAULT_POOLS: readonly Pool[] = [
  ...Array.from({ length: 15 }, (_, i) => ({ base: `172.${17 + i}.0.0/16`, size: 16 })),
  { base: '192.168.0.0/16', size: 20 },
];

/** `default-address-pools` of a daemon.json, null when the file is missing, unreadable or has none. */
export async function readDaemonPools(file: string): Promise<Pool[] | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const json = JSON.parse(text) as { 'default-address-pools'?: unknown };
    const pools = json['default-address-pools'];
    if (!Array.isArray(pools)) return null;
    const out = pools.flatMap((p: { base?: unknown; size?: unknown }) =>
      typeof p.base === 'string' && typeof p.size === 'number' && parseCidr(p.base)
        ? [{ base: p.base, size: p.size }]
        : [],
    );
    return out.length > 0 ? out : null;
  } catch {
    return null;
  }
}

function parseCidr(cidr: string): { start: number; prefix: number } | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return null;
  const ip = octets.reduce((n, o) => n * 256 + o, 0);
  const block = 2 ** (32 - prefix);
  return { start: ip - (ip % block), prefix };
}

/** Blocks of the pools that at least one of the subnets overlaps, against all blocks. */
export function poolUsage(
  pools: readonly Pool[],
  subnets: readonly string[],
  source: PoolUsage['source'],
): PoolUsage {
  let capacity = 0;
  let used = 0;
  const nets = subnets.flatMap((s) => {
    const c = parseCidr(s);
    return c ? [{ start: c.start, end: c.start + 2 ** (32 - c.prefix) }] : [];
  });
  for (const pool of pools) {
    const p = parseCidr(pool.base);
    if (!p || pool.size < p.prefix || pool.size > 32) continue;
    const blockSize = 2 ** (32 - pool.size);
    const count = 2 ** (pool.size - p.prefix);
    capacity += count;
    const taken = new Set<number>();
    for (const n of nets) {
      const from = Math.max(n.start, p.start);
      const to = Math.min(n.end, p.start + count * blockSize);
      if (from >= to) continue;
      const first = Math.floor((from - p.start) / blockSize);
      const last = Math.floor((to - 1 - p.start) / blockSize);
      for (let i = first; i <= last && taken.size < count; i++) taken.add(i);
    }
    used += taken.size;
  }
  const free = capacity - used;
  const nearlyFull = capacity > 0 && (free <= 3 || used / capacity >= 0.9);
  const warning = nearlyFull
    ? `${used} of ${capacity} network address blocks are taken (${source === 'daemon.json' ? 'default-address-pools in daemon.json' : "Docker's default pools"}): ` +
      `${free === 0 ? 'a new network without an explicit subnet will fail' : `only ${free} more network${free === 1 ? '' : 's'} can be created`}. ` +
      'Widen the pools in /etc/docker/daemon.json, e.g. "default-address-pools": [{"base": "10.200.0.0/16", "size": 24}] ' +
      '(256 networks), then restart dockerd; existing networks keep their subnets. Removing unused networks frees blocks now.'
    : null;
  return { source, pools: [...pools], capacity, used, warning };
}
