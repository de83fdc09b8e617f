import type {
  LogLine,
  LogsDownloadQuery,
  LogsHistory,
  LogsHistoryReply,
  LogsSubscribe,
} from '../../../common/logs.js';
import { AppError } from '../errors.js';
import { parseLogTime } from './log-decoder.js';
import { compileFilter } from './log-filter.js';
import type { LogHub, LogSink, LogTarget } from './log-hub.js';
import type { LogQuery } from './log-query.js';

export interface LogDownload {
  filename: string;
  contentType: string;
  /** The body, one chunk per line. */
  body: AsyncIterable<string>;
  /** For the server's log: what was asked. */
  describe: Record<string, unknown>;
}

/** One line of a text download: `<ts> <service> <container> <stream> | <text>`. */
export const textLine = (l: LogLine): string =>
  `${l.ts} ${l.service} ${l.container} ${l.stream} | ${l.text}\n`;

function time(v: string | undefined, what: string): string | undefined {
  if (v === undefined) return undefined;
  try {
    return parseLogTime(v);
  } catch {
    throw new AppError('BAD_REQUEST', `invalid ${what}: ${v}`);
  }
}

/** Log viewing and downloads of a stack: checks the target, then the hub (live) or the query (history). */
export class LogService {
  constructor(
    private readonly hub: LogHub,
    private readonly query: LogQuery,
    /** Whether a stack exists (a folder, or containers of that project). */
    private readonly stackExists: (name: string) => boolean,
    /** A stack's compose project (folder `My.App` runs as project `myapp`): what the engine knows. */
    private readonly projectOf: (name: string) => string = (name) => name,
  ) {}

  private target(stack: string, service?: string, container?: string): LogTarget {
    if (!this.stackExists(stack)) throw new AppError('STACK_NOT_FOUND', `no stack "${stack}"`);
    const t: LogTarget = { project: this.projectOf(stack) };
    if (service) t.service = service;
    if (container) {
      t.container = container;
      if (this.hub.containersFor(t).length === 0)
        throw new AppError('NOT_FOUND', `no container "${container}" in stack "${stack}"`);
    }
    return t;
  }

  subscribe(input: LogsSubscribe, sink: LogSink): { id: string } {
    const t = this.target(input.stack, input.service, input.container);
    const since = time(input.since, 'since');
    return { id: this.hub.subscribe(t, { tail: input.tail, since }, sink) };
  }

  unsubscribe(id: string): boolean {
    return this.hub.unsubscribe(id);
  }

  async history(input: LogsHistory): Promise<LogsHistoryReply> {
    const t = this.target(input.stack, input.service, input.container);
    const filter = compileFilter(input);
    return this.query.history(this.hub.containersFor(t), {
      until: time(input.until, 'until'),
      limit: input.limit ?? 200,
      filter,
    });
  }

  download(stack: string, q: LogsDownloadQuery): LogDownload {
    const t = this.target(stack, q.service, q.container);
    const filter = compileFilter({ q: q.q, regex: q.regex, invert: q.invert, level: q.level });
    const since = time(q.since, 'since');
    const until = time(q.until, 'until');
    const containers = this.hub.containersFor(t);
    const query = this.query;
    const format = q.format;
    const lines: AsyncIterable<LogLine> =
      q.tail !== undefined
        ? (async function* () {
            const { lines } = await query.history(containers, { since, until, filter, limit: q.tail ?? 0 });
            yield* lines;
          })()
        : query.range(containers, { since, until, filter });
    const body = (async function* () {
      for await (const l of lines) yield format === 'ndjson' ? JSON.stringify(l) + '\n' : textLine(l);
    })();
    const scope = q.container ?? q.service ?? stack;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    return {
      filename: `${scope.replace(/[^\w.-]/g, '_')}-logs-${stamp}.${format === 'ndjson' ? 'ndjson' : 'log'}`,
      contentType: format === 'ndjson' ? 'application/x-ndjson; charset=utf-8' : 'text/plain; charset=utf-8',
      body,
      describe: {
        stack,
        service: q.service,
        container: q.container,
        since,
        until,
        tail: q.tail,
        q: q.q,
        format,
      },
    };
  }
}
