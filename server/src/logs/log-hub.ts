import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { LogLine } from '../../../common/logs.js';
import type { EngineClient, EngineContainer, LogsRequest } from '../engine/engine-client.js';
import type { Logger } from '../logger.js';
import { LogDecoder, toUnixSeconds, type RawLogLine } from './log-decoder.js';
import { detectLevel } from './log-level.js';
import { LogRing } from './log-ring.js';

/** Where the hub learns which containers a project has, and when that changes (EngineState). */
export interface LogContainerSource {
  containersOf(project: string): EngineContainer[];
  onChange(listener: (projects: string[]) => void): () => void;
}

/** A stack, or one service of it, or one container of it (name or id prefix). */
export interface LogTarget {
  project: string;
  service?: string;
  container?: string;
}

export interface LogHubOptions {
  /** How long a container's stream stays open after its last viewer left. */
  lingerMs?: number;
  /** Byte budget of each followed container's ring. */
  ringBytes?: number;
  /** Lines are sent in batches at most this often per subscription. */
  batchMs?: number;
  /** A batch is sent at once when it reaches this many lines. */
  batchMax?: number;
  /** Retry delay when a follow stream ends while the container still runs. */
  reopenMs?: number;
  /** Lines a subscription queues while its consumer is congested; the oldest go past this. */
  maxQueued?: number;
}

/**
 * Receives a subscription's batches. Returns false when its consumer is congested (a socket
 * with a full write buffer): the batch stays queued and is offered again shortly; `dropped`
 * counts lines given up since the last delivered batch because the queue was full.
 */
export type LogSink = (lines: LogLine[], dropped: number) => boolean | void;

export function matchesTarget(c: EngineContainer, t: LogTarget): boolean {
  if (c.project !== t.project || c.oneOff) return false;
  if (t.service && c.service !== t.service) return false;
  if (t.container && c.name !== t.container && !(t.container.length >= 6 && c.id.startsWith(t.container)))
    return false;
  return true;
}

export const toLogLine = (c: EngineContainer, raw: RawLogLine): LogLine => {
  const line: LogLine = {
    ts: raw.ts,
    container: c.name,
    service: c.service,
    stream: raw.stream,
    text: raw.text,
  };
  const level = detectLevel(raw.text);
  if (level) line.level = level;
  return line;
};

/** One container's shared engine stream, its ring and its viewers. */
class ContainerFeed {
  readonly ring: LogRing;
  readonly viewers = new Set<Subscription>();
  stream: Readable | undefined;
  opening = false;
  /** Stamp of the newest line seen: a reopened stream starts after it. */
  lastTs = '';
  lingerTimer: NodeJS.Timeout | undefined;
  reopenTimer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    public info: EngineContainer,
    ringBytes: number,
  ) {
    this.ring = new LogRing(ringBytes);
  }
}

class Subscription {
  readonly feeds = new Set<ContainerFeed>();
  /** Per container id, the stamp of the newest line this subscription got (no replays). */
  readonly seen = new Map<string, string>();
  private pending: LogLine[] = [];
  private dropped = 0;
  private delivered = false;
  private timer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    readonly id: string,
    readonly target: LogTarget,
    private readonly sink: LogSink,
    private readonly opts: { batchMs: number; batchMax: number; maxQueued: number },
    private readonly log: Logger,
  ) {}

  add(lines: LogLine[]): void {
    if (this.closed || lines.length === 0) return;
    for (const l of lines) this.pending.push(l);
    if (this.pending.length > this.opts.maxQueued) {
      const over = this.pending.length - this.opts.maxQueued;
      this.pending.splice(0, over);
      this.dropped += over;
    }
    if (this.pending.length >= this.opts.batchMax && !this.timer) this.flush();
    // The first lines of a view go out at once (after the subscribe ack), later ones batched.
    else this.timer ??= setTimeout(() => this.flush(), this.delivered ? this.opts.batchMs : 0);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || this.pending.length === 0) return;
    const lines =
      this.pending.length > this.opts.batchMax ? this.pending.slice(0, this.opts.batchMax) : this.pending;
    // Containers stream on their own; a batch goes out in time order (stable for equal stamps).
    if (this.feeds.size > 1) lines.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    let taken = true;
    try {
      taken = this.sink(lines, this.dropped) !== false;
    } catch (err) {
      this.log.error({ err }, 'log sink failed');
    }
    if (!taken) {
      this.timer = setTimeout(() => this.flush(), this.opts.batchMs);
      return;
    }
    this.dropped = 0;
    this.delivered = true;
    this.pending = lines === this.pending ? [] : this.pending.slice(lines.length);
    if (this.pending.length > 0) this.timer = setTimeout(() => this.flush(), 0);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.pending = [];
  }
}

/**
 * Follows container logs for any number of viewers with ONE engine stream per container:
 * viewers share it, it opens with the first and closes `lingerMs` after the last leaves.
 * A stack subscription follows the stack's containers as they come and go (recreated by `up`,
 * scaled), so a recreated container does not end the view.
 */
export class LogHub {
  private readonly feeds = new Map<string, ContainerFeed>();
  private readonly subs = new Map<string, Subscription>();
  private readonly unlisten: () => void;
  private readonly lingerMs: number;
  private readonly ringBytes: number;
  private readonly batchMs: number;
  private readonly batchMax: number;
  private readonly reopenMs: number;
  private readonly maxQueued: number;

  constructor(
    private readonly engine: EngineClient,
    private readonly source: LogContainerSource,
    private readonly log: Logger,
    options: LogHubOptions = {},
  ) {
    this.lingerMs = options.lingerMs ?? 3000;
    this.ringBytes = options.ringBytes ?? 1024 * 1024;
    this.batchMs = options.batchMs ?? 40;
    this.batchMax = options.batchMax ?? 2000;
    this.reopenMs = options.reopenMs ?? 1000;
    this.maxQueued = options.maxQueued ?? 20_000;
    this.unlisten = source.onChange((projects) => this.onProjects(projects));
  }

  /** Engine streams open right now (for tests and the health of the process). */
  get openStreams(): number {
    let n = 0;
    for (const f of this.feeds.values()) if (f.stream || f.opening) n++;
    return n;
  }

  /**
   * Starts a subscription: the backlog (last `tail` lines, or the lines since `since`, of what the
   * shared streams hold) and then live lines go to `sink` in time-ordered batches.
   */
  subscribe(target: LogTarget, opts: { tail?: number; since?: string }, sink: LogSink): string {
    const sub = new Subscription(
      randomUUID(),
      target,
      sink,
      { batchMs: this.batchMs, batchMax: this.batchMax, maxQueued: this.maxQueued },
      this.log,
    );
    this.subs.set(sub.id, sub);
    const tail = opts.tail ?? 200;
    const backlog: LogLine[] = [];
    for (const c of this.source.containersOf(target.project)) {
      if (!matchesTarget(c, target)) continue;
      const { feed, fresh } = this.attach(sub, c);
      if (fresh) {
        this.open(feed, opts.since !== undefined ? { since: toUnixSeconds(opts.since) } : { tail });
      } else {
        for (const l of opts.since !== undefined ? feed.ring.since(opts.since) : feed.ring.last(tail)) {
          backlog.push(l);
        }
        const newest = feed.ring.newest();
        if (newest) sub.seen.set(c.id, newest.ts);
      }
    }
    if (backlog.length > 0) {
      backlog.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      sub.add(opts.since !== undefined ? backlog : backlog.slice(-tail));
    }
    return sub.id;
  }

  unsubscribe(id: string): boolean {
    const sub = this.subs.get(id);
    if (!sub) return false;
    this.subs.delete(id);
    sub.close();
    for (const feed of sub.feeds) this.detach(sub, feed);
    return true;
  }

  /** Containers matched by a target right now (for history queries and downloads). */
  containersFor(target: LogTarget): EngineContainer[] {
    return this.source.containersOf(target.project).filter((c) => matchesTarget(c, target));
  }

  close(): void {
    this.unlisten();
    for (const id of [...this.subs.keys()]) this.unsubscribe(id);
    for (const feed of [...this.feeds.values()]) this.shut(feed);
  }

  private attach(sub: Subscription, c: EngineContainer): { feed: ContainerFeed; fresh: boolean } {
    let feed = this.feeds.get(c.id);
    const fresh = !feed;
    if (!feed) {
      feed = new ContainerFeed(c, this.ringBytes);
      this.feeds.set(c.id, feed);
    }
    feed.info = c;
    clearTimeout(feed.lingerTimer);
    feed.lingerTimer = undefined;
    feed.viewers.add(sub);
    sub.feeds.add(feed);
    // A feed whose viewers all left may have been shut while lingering was cut short.
    if (!fresh && !feed.stream && !feed.opening && c.state === 'running') this.open(feed, this.resume(feed));
    return { feed, fresh };
  }

  private detach(sub: Subscription, feed: ContainerFeed): void {
    feed.viewers.delete(sub);
    sub.feeds.delete(feed);
    if (feed.viewers.size > 0 || feed.lingerTimer) return;
    feed.lingerTimer = setTimeout(() => {
      feed.lingerTimer = undefined;
      if (feed.viewers.size === 0) this.shut(feed);
    }, this.lingerMs);
  }

  private shut(feed: ContainerFeed): void {
    feed.closed = true;
    clearTimeout(feed.lingerTimer);
    clearTimeout(feed.reopenTimer);
    feed.stream?.destroy();
    feed.stream = undefined;
    if (this.feeds.get(feed.info.id) === feed) this.feeds.delete(feed.info.id);
  }

  /** After a stream ended: only lines newer than the last one seen. */
  private resume(feed: ContainerFeed): LogsRequest {
    return feed.lastTs ? { follow: true, since: toUnixSeconds(feed.lastTs) } : { follow: true };
  }

  private open(feed: ContainerFeed, req: Omit<LogsRequest, 'follow'>): void {
    if (feed.closed || feed.stream || feed.opening) return;
    feed.opening = true;
    const c = feed.info;
    const after = feed.lastTs;
    void this.engine
      .logs(c.id, { ...req, follow: true })
      .then((stream) => {
        feed.opening = false;
        if (feed.closed) {
          stream.destroy();
          return;
        }
        feed.stream = stream;
        let batch: LogLine[] = [];
        const decoder = new LogDecoder(c.tty, (raw) => {
          if (after && raw.ts <= after) return; // already seen before the stream was reopened
          const line = toLogLine(feed.info, raw);
          feed.lastTs = raw.ts || feed.lastTs;
          feed.ring.push(line);
          batch.push(line);
        });
        const deliver = () => {
          if (batch.length === 0) return;
          const lines = batch;
          batch = [];
          const newest = (lines[lines.length - 1] as LogLine).ts;
          for (const sub of feed.viewers) {
            sub.seen.set(c.id, newest);
            sub.add(lines);
          }
        };
        stream.on('data', (chunk: Buffer) => {
          decoder.push(chunk);
          deliver();
        });
        const ended = (err?: Error) => {
          if (feed.stream !== stream) return;
          decoder.end();
          deliver();
          feed.stream = undefined;
          if (err) this.log.debug({ err: err.message, container: c.name }, 'log stream failed');
          this.maybeReopen(feed);
        };
        stream.on('end', () => ended());
        stream.on('close', () => ended());
        stream.on('error', (err: Error) => ended(err));
      })
      .catch((err: unknown) => {
        feed.opening = false;
        this.log.debug({ err: (err as Error).message, container: c.name }, 'log stream not opened');
      });
  }

  /** A follow ends when the container stops; it reopens when the engine says it runs again. */
  private maybeReopen(feed: ContainerFeed): void {
    if (feed.closed || feed.viewers.size === 0) return;
    const now = this.source.containersOf(feed.info.project).find((c) => c.id === feed.info.id);
    if (!now || now.state !== 'running') return;
    clearTimeout(feed.reopenTimer);
    feed.reopenTimer = setTimeout(() => {
      feed.reopenTimer = undefined;
      if (!feed.stream) this.open(feed, this.resume(feed));
    }, this.reopenMs);
  }

  /** Containers of watched projects changed: new ones join, gone ones leave, restarted ones reopen. */
  private onProjects(projects: string[]): void {
    const changed = new Set(projects);
    for (const sub of this.subs.values()) {
      if (!changed.has(sub.target.project)) continue;
      const now = this.source.containersOf(sub.target.project).filter((c) => matchesTarget(c, sub.target));
      const ids = new Set(now.map((c) => c.id));
      for (const feed of [...sub.feeds]) {
        if (!ids.has(feed.info.id)) this.detach(sub, feed);
      }
      for (const c of now) {
        const had = [...sub.feeds].some((f) => f.info.id === c.id);
        if (!had) {
          const { feed, fresh } = this.attach(sub, c);
          // A container that appeared while watching: all of its lines are new to the view.
          if (fresh) this.open(feed, {});
          else {
            // Back after an engine hiccup: only what this view has not had yet.
            const after = sub.seen.get(c.id) ?? '';
            sub.add(after ? feed.ring.since(after).filter((l) => l.ts > after) : feed.ring.last());
          }
          continue;
        }
        const feed = this.feeds.get(c.id);
        if (!feed) continue;
        feed.info = c;
        if (c.state === 'running' && !feed.stream && !feed.opening) this.open(feed, this.resume(feed));
      }
    }
  }
}
