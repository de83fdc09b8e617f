import type { LogLine } from '../../../common/logs.js';
import type { EngineClient, EngineContainer } from '../engine/engine-client.js';
import { LogDecoder, normalizeTs, toUnixSeconds } from './log-decoder.js';
import type { LineFilter } from './log-filter.js';
import { toLogLine } from './log-hub.js';

export interface RangeOptions {
  /** Inclusive, a normalised stamp. */
  since?: string;
  /** Exclusive, a normalised stamp. */
  until?: string;
  filter?: LineFilter | null;
}

export interface HistoryOptions extends RangeOptions {
  limit: number;
  /** First window of the backwards search, in ms. */
  firstWindowMs?: number;
}

const stampOfMs = (ms: number): string => new Date(ms).toISOString().replace('Z', '000000Z');
const msOf = (ts: string): number => Date.parse(ts.slice(0, 23) + 'Z');

/**
 * Non-follow reads of container logs: a time range merged across containers in time order
 * (streamed, so a download of any size holds little memory), and the newest matching lines
 * before a time, found with windows that grow backwards.
 */
export class LogQuery {
  constructor(private readonly engine: EngineClient) {}

  /** One container's lines in [since, until), oldest first, as the engine streams them. */
  async *read(c: EngineContainer, opts: RangeOptions): AsyncGenerator<LogLine> {
    const stream = await this.engine.logs(c.id, {
      follow: false,
      ...(opts.since ? { since: toUnixSeconds(opts.since) } : {}),
      ...(opts.until ? { until: toUnixSeconds(opts.until) } : {}),
    });
    const out: LogLine[] = [];
    const decoder = new LogDecoder(c.tty, (raw) => {
      if (opts.since && raw.ts < opts.since) return;
      if (opts.until && raw.ts >= opts.until) return;
      const line = toLogLine(c, raw);
      if (!opts.filter || opts.filter(line)) out.push(line);
    });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        decoder.push(chunk);
        if (out.length > 0) yield* out.splice(0);
      }
      decoder.end();
      yield* out.splice(0);
    } finally {
      stream.destroy();
    }
  }

  /** Every container's lines in the range, merged oldest first. */
  async *range(containers: EngineContainer[], opts: RangeOptions): AsyncGenerator<LogLine> {
    const its = containers.map((c) => this.read(c, opts));
    const heads: (LogLine | undefined)[] = await Promise.all(
      its.map(async (it) => (await it.next()).value ?? undefined),
    );
    try {
      for (;;) {
        let pick = -1;
        for (let i = 0; i < heads.length; i++) {
          const h = heads[i];
          if (h && (pick < 0 || h.ts < (heads[pick] as LogLine).ts)) pick = i;
        }
        if (pick < 0) return;
        yield heads[pick] as LogLine;
        heads[pick] = (await (its[pick] as AsyncGenerator<LogLine>).next()).value ?? undefined;
      }
    } finally {
      await Promise.all(its.map((it) => it.return(undefined)));
    }
  }

  /**
   * The newest `limit` matching lines before `until` (now when absent), oldest first. The engine
   * cannot combine `tail` with `until`, so windows [end - w, end) are read from the newest back,
   * w growing 4x each time, until enough lines match or the window reaches the oldest container's
   * creation (or `since`). `complete` says the search reached that start.
   */
  async history(
    containers: EngineContainer[],
    opts: HistoryOptions,
  ): Promise<{ lines: LogLine[]; complete: boolean }> {
    if (containers.length === 0) return { lines: [], complete: true };
    const created = containers
      .map((c) => normalizeTs(c.created) ?? '1970-01-01T00:00:00.000000000Z')
      .sort()[0] as string;
    const floor = opts.since && opts.since > created ? opts.since : created;
    let end = opts.until ?? stampOfMs(Date.now() + 1000);
    let width = opts.firstWindowMs ?? 10_000;
    let found: LogLine[] = [];
    for (;;) {
      const startMs = Math.max(msOf(end) - width, msOf(floor));
      const start = startMs <= msOf(floor) ? floor : stampOfMs(startMs);
      const want = opts.limit - found.length;
      const window: LogLine[] = [];
      for await (const line of this.range(containers, { since: start, until: end, filter: opts.filter })) {
        window.push(line);
        if (window.length >= 2 * want + 1024) window.splice(0, window.length - want);
      }
      found = [...window.slice(-want), ...found];
      if (found.length >= opts.limit) return { lines: found, complete: false };
      if (start <= floor) return { lines: found, complete: true };
      end = start;
      width *= 4;
    }
  }
}
