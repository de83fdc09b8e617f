import { randomUUID } from 'node:crypto';
import type { ContainerStats, HostStatsSample, StackStatsSample, StackUse } from '../../../common/stats.js';
import type { EngineClient } from '../engine/engine-client.js';
import type { Logger } from '../logger.js';
import type { HostProbe } from './host-probe.js';
import { RingBuffer } from './ring-buffer.js';
import { containerStats, cpuCounters, type CpuCounters } from './stats-math.js';

/** A running container of a compose project. */
export interface RunningContainer {
  id: string;
  stack: string;
  service: string;
}

/** Which containers run now; the engine state knows without asking the engine. */
export interface ContainerSource {
  running(): RunningContainer[];
}

export type StatsTarget = { stack: string } | { scope: 'host' };

export type StatsSubscription =
  | { id: string; scope: 'stack'; cpus: number; history: StackStatsSample[]; close(): void }
  | { id: string; scope: 'host'; cpus: number; history: HostStatsSample[]; close(): void };

export interface StatsSamplerOptions {
  intervalMs?: number;
  historyMs?: number;
  /** Stats requests in flight at once. */
  concurrency?: number;
  now?: () => number;
  /** Runs before the first host sample of each watch (learns Docker's data root). */
  beforeHost?: () => Promise<void>;
}

interface Sub {
  id: string;
  stack: string | null;
  emit: (sample: StackStatsSample | HostStatsSample) => void;
}

interface Kept {
  stack: string;
  ring: RingBuffer<{ at: number; stats: ContainerStats }>;
}

/**
 * Samples one-shot stats every 2 s, only while someone watches. Every container is read once per
 * tick for all viewers; a 5-minute ring per container (and one for the host) lets a new viewer
 * draw history at once. The last viewer leaving stops the timer: no engine request after that.
 */
export class StatsSampler {
  private readonly subs = new Map<string, Sub>();
  private readonly kept = new Map<string, Kept>();
  private readonly prevCpu = new Map<string, { at: number; counters: CpuCounters }>();
  private hostRing: RingBuffer<HostStatsSample>;
  private timer: NodeJS.Timeout | undefined;
  private active = false;
  /** Bumped on each start, so a tick still in flight from an earlier watch ends its loop. */
  private generation = 0;
  private hostPrimed = false;
  private readonly interval: number;
  private readonly historyMs: number;
  private readonly concurrency: number;
  private readonly now: () => number;

  constructor(
    private readonly engine: Pick<EngineClient, 'containerStats'>,
    private readonly containers: ContainerSource,
    private readonly host: HostProbe,
    private readonly log: Logger,
    private readonly options: StatsSamplerOptions = {},
  ) {
    this.interval = options.intervalMs ?? 2000;
    this.historyMs = options.historyMs ?? 5 * 60_000;
    this.concurrency = options.concurrency ?? 4;
    this.now = options.now ?? Date.now;
    this.hostRing = new RingBuffer(this.capacity());
  }

  private capacity(): number {
    return Math.ceil(this.historyMs / this.interval) + 1;
  }

  get watching(): boolean {
    return this.active;
  }

  subscribe(target: StatsTarget, emit: Sub['emit']): StatsSubscription {
    const id = randomUUID();
    const stack = 'stack' in target ? target.stack : null;
    this.subs.set(id, { id, stack, emit });
    const close = () => this.unsubscribe(id);
    const cpus = this.host.cpus();
    const sub: StatsSubscription =
      stack === null
        ? { id, scope: 'host', cpus, history: this.hostHistory(), close }
        : { id, scope: 'stack', cpus, history: this.stackHistory(stack), close };
    if (!this.active) {
      this.active = true;
      this.generation++;
      this.log.debug('stats sampling starts');
      void this.tick(this.generation);
    }
    return sub;
  }

  unsubscribe(id: string): void {
    if (!this.subs.delete(id) || this.subs.size > 0) return;
    this.active = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    // CPU counters stay for a quick return (page to page); older ones are not used (see fresh()).
    this.host.reset();
    this.hostPrimed = false;
    this.log.debug('stats sampling stops');
  }

  close(): void {
    for (const id of [...this.subs.keys()]) this.unsubscribe(id);
  }

  private cutoff(): number {
    return this.now() - this.historyMs;
  }

  stackHistory(stack: string): StackStatsSample[] {
    const byAt = new Map<number, ContainerStats[]>();
    const cutoff = this.cutoff();
    for (const k of this.kept.values()) {
      if (k.stack !== stack) continue;
      for (const { at, stats } of k.ring.toArray()) {
        if (at < cutoff) continue;
        const list = byAt.get(at) ?? [];
        list.push(stats);
        byAt.set(at, list);
      }
    }
    return [...byAt.entries()].sort(([a], [b]) => a - b).map(([at, containers]) => ({ at, containers }));
  }

  hostHistory(): HostStatsSample[] {
    const cutoff = this.cutoff();
    return this.hostRing.toArray().filter((s) => s.at >= cutoff);
  }

  private async tick(generation: number): Promise<void> {
    const started = this.now();
    try {
      await this.sample(started);
    } catch (err) {
      this.log.warn({ err }, 'stats sample failed');
    }
    if (!this.active || generation !== this.generation) return;
    const wait = Math.max(0, this.interval - (this.now() - started));
    this.timer = setTimeout(() => void this.tick(generation), wait);
  }

  private async sample(at: number): Promise<void> {
    const subs = [...this.subs.values()];
    const hostWatched = subs.some((s) => s.stack === null);
    const stacks = new Set(subs.map((s) => s.stack).filter((s): s is string => s !== null));
    const running = this.containers.running();
    const wanted = hostWatched ? running : running.filter((c) => stacks.has(c.stack));

    const results = await this.readAll(wanted, this.generation, at);
    for (const [c, stats] of results) {
      let k = this.kept.get(c.id);
      if (!k) {
        k = { stack: c.stack, ring: new RingBuffer(this.capacity()) };
        this.kept.set(c.id, k);
      }
      k.ring.push({ at, stats });
    }
    this.forgetGone(new Set(running.map((c) => c.id)));
    if (!this.active) return;

    for (const sub of this.subs.values()) {
      if (sub.stack === null) continue;
      const containers = results.filter(([c]) => c.stack === sub.stack).map(([, s]) => s);
      sub.emit({ at, containers });
    }
    if (hostWatched) {
      if (!this.hostPrimed) {
        this.hostPrimed = true;
        await this.options.beforeHost?.().catch(() => undefined);
      }
      const reading = await this.host.read();
      const sample: HostStatsSample = { at, ...reading, stacks: stackUse(results) };
      this.hostRing.push(sample);
      for (const sub of this.subs.values()) if (sub.stack === null) sub.emit(sample);
    }
  }

  private async readAll(
    wanted: RunningContainer[],
    generation: number,
    at: number,
  ): Promise<Array<[RunningContainer, ContainerStats]>> {
    // A delta across a long pause would be an average over it, not the figure of now.
    const fresh = (id: string): CpuCounters | null => {
      const prev = this.prevCpu.get(id);
      return prev && at - prev.at <= 3 * this.interval ? prev.counters : null;
    };
    const out: Array<[RunningContainer, ContainerStats]> = [];
    const queue = [...wanted];
    // Once the last viewer has left, no further request goes out, not even from this tick.
    const next = () => (this.active && generation === this.generation ? queue.shift() : undefined);
    const worker = async () => {
      for (let c = next(); c; c = next()) {
        try {
          const raw = await this.engine.containerStats(c.id);
          if (!raw) continue;
          const stats = containerStats(c.id, c.service, raw, fresh(c.id));
          const counters = cpuCounters(raw);
          if (counters) this.prevCpu.set(c.id, { at, counters });
          else this.prevCpu.delete(c.id);
          out.push([c, stats]);
        } catch (err) {
          this.log.debug({ err, container: c.id }, 'stats of a container failed');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
    // Workers finish in any order; a stable order keeps charts and tables still.
    return out.sort(
      ([a], [b]) =>
        a.stack.localeCompare(b.stack) || a.service.localeCompare(b.service) || a.id.localeCompare(b.id),
    );
  }

  /** Drops counters of stopped containers and rings whose last sample left the window. */
  private forgetGone(running: Set<string>): void {
    for (const id of this.prevCpu.keys()) if (!running.has(id)) this.prevCpu.delete(id);
    const cutoff = this.cutoff();
    for (const [id, k] of this.kept) {
      const last = k.ring.last();
      if (!last || last.at < cutoff) this.kept.delete(id);
    }
  }
}

/** Per stack sums, biggest CPU first. */
export function stackUse(results: Array<[RunningContainer, ContainerStats]>): StackUse[] {
  const by = new Map<string, StackUse>();
  for (const [c, s] of results) {
    const u = by.get(c.stack) ?? { name: c.stack, cpuPercent: 0, memBytes: 0 };
    u.cpuPercent += s.cpuPercent ?? 0;
    u.memBytes += s.memBytes;
    by.set(c.stack, u);
  }
  return [...by.values()].sort((a, b) => b.cpuPercent - a.cpuPercent || b.memBytes - a.memBytes);
}
