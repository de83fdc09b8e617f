import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import type { DiskUse } from '../../../common/stats.js';

/** The host's files Berth reads; faked in unit tests. */
export interface HostFiles {
  read(path: '/proc/stat' | '/proc/loadavg' | '/proc/meminfo'): Promise<string>;
  statfs(path: string): Promise<{ blocks: number; bfree: number; bsize: number }>;
  cpus(): number;
}

export const realHostFiles: HostFiles = {
  read: (p) => readFile(p, 'utf8'),
  statfs: (p) => statfs(p),
  cpus: () => os.availableParallelism(),
};

export interface CpuTimes {
  busy: number;
  total: number;
}

/** The aggregate `cpu` line of /proc/stat; idle and iowait count as not busy. */
export function parseProcStat(text: string): CpuTimes | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return null;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // guest and guest_nice are already inside user and nice.
  const fields = v.slice(0, 8);
  const total = fields.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

export function hostCpuPercent(prev: CpuTimes | null, now: CpuTimes | null): number | null {
  if (!prev || !now) return null;
  const total = now.total - prev.total;
  if (total <= 0) return null;
  return Math.min(100, Math.max(0, ((now.busy - prev.busy) / total) * 100));
}

export function parseLoadavg(text: string): [number, number, number] {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  return [a ?? 0, b ?? 0, c ?? 0];
}

/** MemTotal and MemTotal - MemAvailable, in bytes (the kernel reports kB). */
export function parseMeminfo(text: string): { memTotal: number; memUsed: number } {
  const kb = (key: string): number | undefined => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal') ?? 0;
  const available = kb('MemAvailable') ?? (kb('MemFree') ?? 0) + (kb('Cached') ?? 0) + (kb('Buffers') ?? 0);
  return { memTotal: total, memUsed: Math.max(0, total - available) };
}

export interface HostReading {
  cpuPercent: number | null;
  load: [number, number, number];
  memTotal: number;
  memUsed: number;
  disks: DiskUse[];
}

/**
 * The host's figures from /proc and statfs, no process spawned. CPU % is the busy share since the
 * previous reading; the first reading has none.
 */
export class HostProbe {
  private prevCpu: CpuTimes | null = null;

  constructor(
    private readonly files: HostFiles,
    /** Folders whose filesystems to report; resolved on each reading (Docker's root comes late). */
    private readonly diskPaths: () => string[],
  ) {}

  cpus(): number {
    return this.files.cpus();
  }

  /** Forgets the CPU counters, so a reading after a long pause is not an average over it. */
  reset(): void {
    this.prevCpu = null;
  }

  async read(): Promise<HostReading> {
    const [stat, rest] = await Promise.all([this.files.read('/proc/stat').catch(() => ''), this.snapshot()]);
    const now = parseProcStat(stat);
    const cpuPercent = hostCpuPercent(this.prevCpu, now);
    this.prevCpu = now;
    return { cpuPercent, ...rest };
  }

  /** Load, memory and disks; leaves the CPU counters of `read()` alone. */
  async snapshot(): Promise<Omit<HostReading, 'cpuPercent'>> {
    const [loadavg, meminfo, disks] = await Promise.all([
      this.files.read('/proc/loadavg').catch(() => ''),
      this.files.read('/proc/meminfo').catch(() => ''),
      this.disks(),
    ]);
    return { load: parseLoadavg(loadavg), ...parseMeminfo(meminfo), disks };
  }

  async disks(): Promise<DiskUse[]> {
    const paths = [...new Set(this.diskPaths())];
    const out = await Promise.all(
      paths.map(async (p): Promise<DiskUse | null> => {
        try {
          const s = await this.files.statfs(p);
          return { path: p, total: s.blocks * s.bsize, used: (s.blocks - s.bfree) * s.bsize };
        } catch {
          return null; // not visible from here (Berth in a container, a remote engine)
        }
      }),
    );
    return out.filter((d): d is DiskUse => d !== null);
  }
}
