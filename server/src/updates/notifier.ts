import type { Logger } from '../logger.js';

export interface Notice {
  event: 'update-available' | 'update-failed' | 'update-rolled-back' | 'test';
  title: string;
  message: string;
  stack?: string;
  /** Details for JSON receivers (services, digests). */
  data?: unknown;
}

interface Delivery {
  url: string;
  init: RequestInit;
}

/** Credentials in a URL (`user:pass@`) become a Basic header, never part of the request URL. */
function split(url: URL): { auth: string | null; hostPath: string } {
  const auth = url.username
    ? Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString(
        'base64',
      )
    : null;
  return { auth, hostPath: `${url.host}${url.pathname}${url.search}` };
}

/**
 * Turns a notification URL into an HTTP request:
 * - `http(s)://...` generic webhook: POST of the JSON notice `{event, title, message, stack, data}`
 * - `ntfy(s)://[user:pass@]host/topic`: POST of the message text to ntfy with Title and Tags headers
 * - `gotify(s)://host[/path]/TOKEN`: POST `{title, message, priority}` to Gotify's /message
 * - `json(s)://host/path`: Apprise's JSON form `{version, title, message, type}`
 */
export function deliveryFor(target: string, notice: Notice): Delivery {
  const url = new URL(target);
  const scheme = url.protocol.replace(/:$/, '');
  const secure = scheme.endsWith('s') && scheme !== 'ntfy' ? 's' : '';
  const { auth, hostPath } = split(url);
  const headers: Record<string, string> = {};
  if (auth) headers.Authorization = `Basic ${auth}`;
  const failure = notice.event === 'update-failed' || notice.event === 'update-rolled-back';
  switch (scheme) {
    case 'http':
    case 'https': {
      const clean = new URL(target);
      clean.username = '';
      clean.password = '';
      return {
        url: clean.toString(),
        init: {
          method: 'POST',
          headers: { ...headers, 'Content-Type': 'application/json' },
          body: JSON.stringify({ source: 'berth', ...notice }),
        },
      };
    }
    case 'ntfy':
    case 'ntfys':
      return {
        url: `http${scheme === 'ntfys' ? 's' : ''}://${hostPath}`,
        init: {
          method: 'POST',
          headers: {
            ...headers,
            Title: notice.title,
            Tags: failure ? 'warning' : 'package',
            ...(failure ? { Priority: 'high' } : {}),
          },
          body: notice.message,
        },
      };
    case 'gotify':
    case 'gotifys': {
      const parts = url.pathname.split('/').filter(Boolean);
      const token = parts.pop() ?? '';
      const prefix = parts.length ? `/${parts.join('/')}` : '';
      return {
        url: `http${secure}://${url.host}${prefix}/message`,
        init: {
          method: 'POST',
          headers: { ...headers, 'Content-Type': 'application/json', 'X-Gotify-Key': token },
          body: JSON.stringify({ title: notice.title, message: notice.message, priority: failure ? 8 : 5 }),
        },
      };
    }
    case 'json':
    case 'jsons':
      return {
        url: `http${secure}://${hostPath}`,
        init: {
          method: 'POST',
          headers: { ...headers, 'Content-Type': 'application/json' },
          body: JSON.stringify({
            version: '1.0',
            title: notice.title,
            message: notice.message,
            type: failure ? 'failure' : notice.event === 'test' ? 'info' : 'success',
          }),
        },
      };
    default:
      throw new Error(`unsupported notification URL scheme "${scheme}"`);
  }
}

/** Host of a notification URL without its credentials or token, for logs and replies. */
export function redact(target: string): string {
  try {
    const u = new URL(target);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return 'invalid URL';
  }
}

export class Notifier {
  constructor(
    private readonly log: Logger,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Sends to every URL; never throws: one failing receiver does not stop the others. */
  async send(
    urls: readonly string[],
    notice: Notice,
  ): Promise<{ url: string; ok: boolean; error?: string }[]> {
    return Promise.all(
      urls.map(async (target) => {
        try {
          const d = deliveryFor(target, notice);
          const res = await this.fetchImpl(d.url, { ...d.init, signal: AbortSignal.timeout(this.timeoutMs) });
          await res.arrayBuffer().catch(() => undefined);
          if (!res.ok) throw new Error(`answered ${res.status}`);
          return { url: target, ok: true };
        } catch (err) {
          const cause = (err as { cause?: { code?: string } }).cause?.code;
          const error = cause ? `unreachable (${cause})` : (err as Error).message;
          this.log.warn({ url: redact(target), error }, 'notification failed');
          return { url: target, ok: false, error };
        }
      }),
    );
  }
}
