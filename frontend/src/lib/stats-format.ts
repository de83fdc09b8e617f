import type { ContainerStats, StackStatsSample } from '../../../common/stats';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  /** Drawn dashed (limits, totals). */
  dashed?: boolean;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  let v = Math.max(0, n);
  let i = 0;
  while (v >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? v.toFixed(0) : v.toFixed(1)} ${UNITS[i]}`;
}

export const formatRate = (n: number | null | undefined): string => (n == null ? '—' : `${formatBytes(n)}/s`);

export function formatPercent(n: number | null | undefined, digits = 1): string {
  return n == null || !Number.isFinite(n) ? '—' : `${n.toFixed(digits)} %`;
}

/** Per second change of a counter between two samples; a reset (restart) reads as no traffic. */
export function rate(before: number, after: number, seconds: number): number {
  return seconds > 0 && after >= before ? (after - before) / seconds : 0;
}

export interface ServiceSeries {
  /** Seconds since the epoch, one per sample. */
  x: number[];
  services: string[];
  cpu: Array<Array<number | null>>;
  mem: Array<Array<number | null>>;
  memLimit: Array<number | null>;
  netIn: Array<number | null>;
  netOut: Array<number | null>;
  blockRead: Array<number | null>;
  blockWrite: Array<number | null>;
  cpuTotal: Array<number | null>;
  memTotal: Array<number | null>;
}

/** A service's figure: the sum over its containers (replicas), null when it had none running. */
function byService(s: StackStatsSample, service: string, pick: (c: ContainerStats) => number | null) {
  let sum: number | null = null;
  for (const c of s.containers) {
    if (c.service !== service) continue;
    const v = pick(c);
    if (v != null) sum = (sum ?? 0) + v;
  }
  return sum;
}

const total = (s: StackStatsSample, pick: (c: ContainerStats) => number) =>
  s.containers.reduce((a, c) => a + pick(c), 0);

/** Aligned columns for the charts: per service CPU and memory, stack totals, IO rates. */
export function stackSeries(samples: readonly StackStatsSample[]): ServiceSeries {
  const services = [...new Set(samples.flatMap((s) => s.containers.map((c) => c.service)))].sort();
  const out: ServiceSeries = {
    x: samples.map((s) => s.at / 1000),
    services,
    cpu: services.map((svc) => samples.map((s) => byService(s, svc, (c) => c.cpuPercent))),
    mem: services.map((svc) => samples.map((s) => byService(s, svc, (c) => c.memBytes))),
    memLimit: samples.map((s) =>
      s.containers.length ? Math.max(...s.containers.map((c) => c.memLimitBytes)) : null,
    ),
    cpuTotal: samples.map((s) =>
      s.containers.some((c) => c.cpuPercent != null) ? total(s, (c) => c.cpuPercent ?? 0) : null,
    ),
    memTotal: samples.map((s) => (s.containers.length ? total(s, (c) => c.memBytes) : null)),
    netIn: [],
    netOut: [],
    blockRead: [],
    blockWrite: [],
  };
  samples.forEach((s, i) => {
    const prev = samples[i - 1];
    if (!prev) {
      out.netIn.push(null);
      out.netOut.push(null);
      out.blockRead.push(null);
      out.blockWrite.push(null);
      return;
    }
    const dt = (s.at - prev.at) / 1000;
    // Rates per container, so a container that came or went does not look like a burst.
    const sumRate = (pick: (c: ContainerStats) => number) =>
      s.containers.reduce((a, c) => {
        const before = prev.containers.find((p) => p.id === c.id);
        return a + (before ? rate(pick(before), pick(c), dt) : 0);
      }, 0);
    out.netIn.push(sumRate((c) => c.netRxBytes));
    out.netOut.push(sumRate((c) => c.netTxBytes));
    out.blockRead.push(sumRate((c) => c.blockReadBytes));
    out.blockWrite.push(sumRate((c) => c.blockWriteBytes));
  });
  return out;
}

export interface ServiceNow {
  service: string;
  cpuPercent: number | null;
  memBytes: number;
  memLimitBytes: number;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
}

/** The latest figures per service (replicas summed) for tables. */
export function currentByService(last: StackStatsSample | undefined): Map<string, ServiceNow> {
  const out = new Map<string, ServiceNow>();
  for (const c of last?.containers ?? []) {
    const n = out.get(c.service) ?? {
      service: c.service,
      cpuPercent: null,
      memBytes: 0,
      memLimitBytes: 0,
      netRx: 0,
      netTx: 0,
      blockRead: 0,
      blockWrite: 0,
      pids: 0,
    };
    if (c.cpuPercent != null) n.cpuPercent = (n.cpuPercent ?? 0) + c.cpuPercent;
    n.memBytes += c.memBytes;
    n.memLimitBytes = Math.max(n.memLimitBytes, c.memLimitBytes);
    n.netRx += c.netRxBytes;
    n.netTx += c.netTxBytes;
    n.blockRead += c.blockReadBytes;
    n.blockWrite += c.blockWriteBytes;
    n.pids += c.pids;
    out.set(c.service, n);
  }
  return out;
}
