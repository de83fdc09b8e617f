import http from 'node:http';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import {
  AGENT_PROTOCOL,
  AgentWelcome,
  TunnelClose,
  TunnelEmit,
  TunnelHttpRequest,
  TunnelOpen,
} from '../../../common/agent-wire.js';
import type { StackSummary } from '../../../common/stack.js';
import { signHello } from '../agents/agent-crypto.js';
import { proxyAgentFor } from '../agents/proxy-agent.js';
import type { AgentIdentity } from '../agents/agent-identity.js';
import type { InternalAuth } from '../http/internal-principal.js';
import type { Logger } from '../logger.js';

/** Replies over this size go as `tunnel:chunk` events ahead of the ack (socket.io's message limit is 1 MB). */
export const CHUNK_BYTES = 512 * 1024;
const MAX_BODY = 64 * 1024 * 1024;
const ACK_TIMEOUT_MS = 30_000;
/** Response headers the hub passes on to the browser. */
const REPLY_HEADERS = ['content-type', 'content-disposition', 'etag', 'retry-after'] as const;
/** Events of the agent's own server that belong to the feed, not to a browser's channel. */
const FEED_EVENTS: Readonly<Record<string, string>> = {
  'stack:changed': 'feed:changed',
  'stack:removed': 'feed:removed',
  'swarm:changed': 'feed:swarm',
  'volume:job': 'feed:volume-job',
};

/** Exit codes of an agent that must not retry (a person has to act). */
export const EXIT_PROTOCOL = 3;
export const EXIT_REFUSED = 4;

export interface AgentLinkOptions {
  hubUrl: string;
  enrollToken?: string;
  identity: AgentIdentity;
  /** The agent's own server (127.0.0.1:<port>). */
  localUrl: string;
  internal: InternalAuth;
  version: string;
  log: Logger;
  /** The hub refused this agent for good: log said why; the process should stop with `code`. */
  onFatal(code: number): void;
  /** Protocol to claim (tests of version skew). */
  protocol?: number;
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read; process.env when absent. */
  env?: NodeJS.ProcessEnv;
}

export interface AgentLink {
  close(): void;
}

/**
 * Agent mode: dials out to the hub (reconnecting with backoff), proves itself with its key, and
 * serves the hub's tunnel against this Berth's own server: HTTP operations, one socket per
 * browser channel, and the stack feed.
 */
export function startAgentLink(opts: AgentLinkOptions): AgentLink {
  const log = opts.log.child({ module: 'agent' });
  const state = opts.identity.state();
  const enrolled = state !== null && state.hubUrl === opts.hubUrl ? state : null;
  if (enrolled && opts.enrollToken) {
    log.info({ hostId: enrolled.hostId }, 'already enrolled with this hub: --enroll is ignored');
  }
  if (!enrolled && !opts.enrollToken) {
    log.error({ hub: opts.hubUrl }, 'not enrolled with this hub: start with --enroll <token> from the hub');
    opts.onFatal(EXIT_REFUSED);
    return { close: () => undefined };
  }
  let hostId = enrolled?.hostId ?? null;
  // Kept-alive connections to its own server: the tunnel's share of a request's time stays small.
  const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let ready = false;
  let stopped = false;

  const proxy = proxyAgentFor(opts.hubUrl, opts.env ?? process.env);
  if (proxy) log.info({ hub: opts.hubUrl }, 'dialling the hub through the proxy of HTTPS_PROXY / HTTP_PROXY');
  const hub: ClientSocket = connect(`${opts.hubUrl}/agent`, {
    // engine.io-client types `agent` as string | boolean, yet hands it to ws as the http.Agent it is.
    ...(proxy ? { agent: proxy as unknown as string } : {}),
    auth: { protocol: opts.protocol ?? AGENT_PROTOCOL, version: opts.version },
    extraHeaders: { 'x-berth-agent': '1' },
    transports: ['websocket'],
    reconnectionDelay: 1000,
    reconnectionDelayMax: 30_000,
    randomizationFactor: 0.5,
  });
  const local = (headers: Record<string, string>): ClientSocket =>
    connect(opts.localUrl, { extraHeaders: headers, transports: ['websocket'], forceNew: true });

  const fatal = (code: number): void => {
    stopped = true;
    hub.disconnect();
    closeChannels();
    feed.disconnect();
    keepAlive.destroy();
    opts.onFatal(code);
  };

  // The feed: this Berth's own stack list, kept and forwarded while the hub listens.
  const stacks = new Map<string, StackSummary>();
  const feed = local(opts.internal.headers('hub'));
  feed.on('stacks:list', (list: StackSummary[]) => {
    stacks.clear();
    for (const s of list) stacks.set(s.name, s);
    if (ready) hub.emit('feed:list', list);
  });
  feed.onAny((event: string, payload: unknown) => {
    const forward = FEED_EVENTS[event];
    if (!forward) return;
    if (event === 'stack:changed') stacks.set((payload as StackSummary).name, payload as StackSummary);
    if (event === 'stack:removed') stacks.delete((payload as { name: string }).name);
    if (ready) hub.emit(forward, payload);
  });

  // Channels: one socket of this Berth's own per browser socket of the hub.
  const channels = new Map<string, ClientSocket>();
  const closeChannels = (): void => {
    for (const c of channels.values()) c.disconnect();
    channels.clear();
  };

  hub.on('connect_error', (err: Error) => {
    if (err.message.startsWith('PROTOCOL')) {
      log.error({ hub: opts.hubUrl }, `the hub refused this agent: ${err.message}`);
      fatal(EXIT_PROTOCOL);
      return;
    }
    log.warn({ hub: opts.hubUrl, err: err.message }, 'cannot reach the hub; retrying');
  });
  hub.on('disconnect', (reason) => {
    ready = false;
    closeChannels();
    if (stopped) return;
    log.warn({ reason }, 'disconnected from the hub; reconnecting');
    // socket.io-client does not retry on its own when the server ended the connection (a hub
    // restarting, or revoking this host: then the next hello is refused and the agent stops).
    if (reason === 'io server disconnect') {
      setTimeout(() => stopped || hub.connect(), 1000 + Math.random() * 1000).unref();
    }
  });

  hub.on('agent:challenge', (payload: { nonce?: unknown }) => {
    const nonce = typeof payload?.nonce === 'string' ? payload.nonce : '';
    const key = opts.identity.privateKey();
    const hello = hostId
      ? { hostId, signature: signHello(key, nonce, hostId) }
      : {
          enroll: opts.enrollToken ?? '',
          publicKey: opts.identity.publicKey(),
          signature: signHello(key, nonce, opts.enrollToken ?? ''),
        };
    hub.emit(
      'agent:hello',
      hello,
      (answer: { ok: boolean; data?: unknown; error?: { code: string; message: string } }) => {
        if (!answer.ok) {
          const why = answer.error ?? { code: 'REFUSED', message: 'refused' };
          log.error({ code: why.code, hub: opts.hubUrl }, `the hub refused this agent: ${why.message}`);
          fatal(EXIT_REFUSED);
          return;
        }
        const welcome = AgentWelcome.safeParse(answer.data);
        if (!welcome.success) return;
        if (!hostId) {
          hostId = welcome.data.hostId;
          opts.identity.save({ hubUrl: opts.hubUrl, hostId });
          log.info({ hostId, name: welcome.data.name }, 'agent enrolled');
        }
        ready = true;
        opts.identity.heartbeat();
        log.info({ hostId, name: welcome.data.name, hub: opts.hubUrl }, 'agent connected');
        hub.emit('feed:list', [...stacks.values()]);
      },
    );
  });

  hub.on('agent:ping', (_payload: unknown, ack: unknown) => {
    if (ready) opts.identity.heartbeat();
    if (typeof ack === 'function') (ack as (a: null) => void)(null);
  });
  hub.on('tunnel:http', (payload: unknown, ack: (a: unknown) => void) => {
    if (!ready || typeof ack !== 'function') return;
    const req = TunnelHttpRequest.safeParse(payload);
    if (!req.success) {
      ack({
        status: 400,
        headers: { 'content-type': 'application/json' },
        body: errorBody('BAD_REQUEST', 'bad tunnel request'),
      });
      return;
    }
    void performHttp(req.data).then(ack, (err: unknown) => {
      log.error({ err }, 'tunnel request failed');
      ack({
        status: 502,
        headers: { 'content-type': 'application/json' },
        body: errorBody('INTERNAL', 'the agent failed'),
      });
    });
  });

  const performHttp = async (r: TunnelHttpRequest): Promise<unknown> => {
    const headers: Record<string, string> = { ...r.headers, ...opts.internal.headers(r.user) };
    if (r.body !== null) headers['content-type'] = 'application/json';
    const res = await localRequest(keepAlive, `${opts.localUrl}${r.url}`, r.method, headers, r.body);
    const body = res.body;
    const out: Record<string, string> = {};
    for (const h of REPLY_HEADERS) {
      const v = res.headers[h];
      if (typeof v === 'string') out[h] = v;
    }
    if (res.tooLarge) {
      return {
        status: 502,
        headers: { 'content-type': 'application/json' },
        body: errorBody('PAYLOAD_TOO_LARGE', 'the reply is over 64 MiB'),
      };
    }
    let offset = 0;
    for (; body.length - offset > CHUNK_BYTES; offset += CHUNK_BYTES) {
      hub.emit('tunnel:chunk', { rid: r.rid, data: body.subarray(offset, offset + CHUNK_BYTES) });
    }
    return { status: res.status, headers: out, body: body.subarray(offset) };
  };

  hub.on('tunnel:open', (payload: unknown, ack: (a: unknown) => void) => {
    const o = TunnelOpen.safeParse(payload);
    if (!ready || !o.success || typeof ack !== 'function') return;
    channels.get(o.data.channel)?.disconnect();
    const client = local(opts.internal.headers(o.data.user, o.data.owner));
    channels.set(o.data.channel, client);
    client.onAny((event: string, data: unknown) => {
      if (event in FEED_EVENTS || event === 'stacks:list') return;
      hub.emit('tunnel:event', { channel: o.data.channel, event, payload: data });
    });
    client.once('connect', () => ack({ ok: true, data: null }));
    client.once('connect_error', (err: Error) => {
      log.error({ err: err.message }, 'channel to the local server failed');
      ack({ ok: false, error: { code: 'INTERNAL', message: 'the agent cannot open a channel' } });
    });
  });
  hub.on('tunnel:emit', (payload: unknown, ack: (a: unknown) => void) => {
    const e = TunnelEmit.safeParse(payload);
    if (!e.success || typeof ack !== 'function') return;
    const client = channels.get(e.data.channel);
    if (!client) {
      ack({ ok: false, error: { code: 'HOST_OFFLINE', message: 'the channel is closed' } });
      return;
    }
    client
      .timeout(ACK_TIMEOUT_MS)
      .emit(e.data.event, e.data.payload, (err: Error | null, answer: unknown) => {
        ack(
          err ? { ok: false, error: { code: 'HOST_TIMEOUT', message: 'the agent did not answer' } } : answer,
        );
      });
  });
  hub.on('tunnel:close', (payload: unknown) => {
    const c = TunnelClose.safeParse(payload);
    if (!c.success) return;
    channels.get(c.data.channel)?.disconnect();
    channels.delete(c.data.channel);
  });

  return {
    close: () => {
      stopped = true;
      hub.disconnect();
      closeChannels();
      feed.disconnect();
      keepAlive.destroy();
    },
  };
}

/** One request to this Berth's own server, its body read whole (up to MAX_BODY). */
function localRequest(
  keepAlive: http.Agent,
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | null,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: keepAlive }, (res) => {
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size <= MAX_BODY) parts.push(d);
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 502,
          headers: res.headers,
          body: Buffer.concat(parts),
          tooLarge: size > MAX_BODY,
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

const errorBody = (code: string, message: string): Buffer =>
  Buffer.from(JSON.stringify({ error: { code, message } }));
