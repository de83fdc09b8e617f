import type { ContainerStats } from '../../../common/stats.js';
import type { RawStats } from '../engine/engine-client.js';

export type { RawStats };

/** The counters one CPU figure needs from the sample before. */
export interface CpuCounters {
  total: number;
  system: number;
}

export function cpuCounters(raw: RawStats): CpuCounters | null {
  const total = raw.cpu_stats?.cpu_usage?.total_usage;
  const system = raw.cpu_stats?.system_cpu_usage;
  // A stopped container answers zeros; no delta may be taken from that.
  if (!total || !system) return null;
  return { total, system };
}

/**
 * The docker CLI's formula (cli/command/container/stats_helpers.go): the container's share of the
 * host's CPU time between two samples, times the online cores, so 100 is one core busy.
 */
export function cpuPercent(prev: CpuCounters | null, raw: RawStats): number | null {
  const now = cpuCounters(raw);
  if (!prev || !now) return null;
  const cpuDelta = now.total - prev.total;
  const systemDelta = now.system - prev.system;
  const online = raw.cpu_stats?.online_cpus || raw.cpu_stats?.cpu_usage?.percpu_usage?.length || 0;
  if (systemDelta <= 0 || cpuDelta <= 0) return 0;
  return (cpuDelta / systemDelta) * online * 100;
}

/** Usage minus inactive file cache: cgroup v1 `total_inactive_file`, v2 `inactive_file` (as docker stats). */
export function memoryUsed(raw: RawStats): number {
  const usage = raw.memory_stats?.usage ?? 0;
  const stats = raw.memory_stats?.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file;
  if (v2 !== undefined && v2 < usage) return usage - v2;
  return usage;
}

export function networkBytes(raw: RawStats): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(raw.networks ?? {})) {
    rx += n.rx_bytes ?? 0;
    tx += n.tx_bytes ?? 0;
  }
  return { rx, tx };
}

/** Sums `Read` and `Write` entries over devices; cgroup v2 reports lower-case ops. */
export function blockBytes(raw: RawStats): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const e of raw.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = (e.op ?? '').toLowerCase();
    if (op === 'read') read += e.value ?? 0;
    else if (op === 'write') write += e.value ?? 0;
  }
  return { read, write };
}

export function containerStats(
  id: string,
  service: string,
  raw: RawStats,
  prev: CpuCounters | null,
): ContainerStats {
  const net = networkBytes(raw);
  const block = blockBytes(raw);
  return {
    id,
    service,
    cpuPercent: cpuPercent(prev, raw),
    memBytes: memoryUsed(raw),
    memLimitBytes: raw.memory_stats?.limit ?? 0,
    netRxBytes: net.rx,
    netTxBytes: net.tx,
    blockReadBytes: block.read,
    blockWriteBytes: block.write,
    pids: raw.pids_stats?.current ?? 0,
  };
}
