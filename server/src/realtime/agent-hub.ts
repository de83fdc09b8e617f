import { randomBytes, randomUUID } from 'node:crypto';
import type { Namespace, Server, Socket } from 'socket.io';
import {
  AGENT_PROTOCOL,
  AgentAuth,
  AgentHello,
  TunnelChunk,
  TunnelEvent,
  TunnelHttpReply,
} from '../../../common/agent-wire.js';
import type { Ack } from '../../../common/events.js';
import { ErrorCode } from '../../../common/errors.js';
import { z } from 'zod';
import { LOCAL_HOST, type HostSummary } from '../../../common/hosts.js';
import { StackListPayload, StackRemoved } from '../../../common/events.js';
import { StackSummary } from '../../../common/stack.js';
import { ResourceJob } from '../../../common/resources.js';
import { SwarmChanged } from '../../../common/swarm.js';
import { sha256 } from '../agents/agent-crypto.js';
import { HandshakeRefusal, type HostDirectory } from '../agents/host-directory.js';
import type { RemoteStacks } from '../agents/remote-stacks.js';
import { AppError } from '../errors.js';
import type { RemoteCall, RemoteReply } from '../http/route.js';
import type { Logger } from '../logger.js';
import { STACKS_ROOM, type BerthSocket } from './realtime-server.js';
import { ownerKey } from './terminal-handlers.js';

export const HELLO_TIMEOUT_MS = 10_000;
/** An agent's ack of a relayed event, checked before a browser gets it. */
const AgentAck = z.union([
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: ErrorCode, message: z.string().max(2000) }) }),
]);
export const TUNNEL_TIMEOUT_MS = 30_000;
/** An agent that does not answer a ping within this long is dropped (a half-open connection). */
export const PING_INTERVAL_MS = 5000;
/** Largest reply relayed over HTTP (downloads are buffered whole on the hub). */
export const MAX_TUNNEL_BODY = 64 * 1024 * 1024;
/** Server events of an agent that a relayed browser socket gets (the feed carries the stack list). */
const RELAYED_EVENTS: ReadonlySet<string> = new Set([
  'terminal:output',
  'terminal:exit',
  'logs:lines',
  'stats:sample',
]);

interface Pending {
  reject(err: AppError): void;
}

interface Link {
  socket: Socket;
  hostId: string;
  name: string;
  /** Channels of browser sockets opened on this host. */
  channels: Set<string>;
  /** Reply parts of `tunnel:http` requests in flight, by request id. */
  chunks: Map<string, { parts: Buffer[]; size: number }>;
  /** Requests in flight: a lost agent fails them at once instead of after the timeout. */
  inflight: Set<Pending>;
}

interface Channel {
  browser: BerthSocket;
  host: string;
}

export interface AgentHub {
  isOnline(host: string): boolean;
  disconnect(host: string): void;
  added(host: string): void;
  /** A hosted HTTP operation on another host (the router's `remote`). */
  remote(call: RemoteCall): Promise<RemoteReply>;
  /** Gives a browser socket its relay to other hosts. */
  attach(socket: BerthSocket): void;
  close(): void;
}

/** Replaces `host: "local"` of stack summaries and details in an agent's JSON reply by its host id. */
export function rewriteHost(body: unknown, host: string): unknown {
  const fix = (v: unknown): unknown =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && (v as { host?: unknown }).host === LOCAL_HOST
      ? { ...v, host }
      : v;
  return Array.isArray(body) ? body.map(fix) : fix(body);
}

/**
 * The hub's side of agents: the `/agent` namespace (protocol check, challenge, hello), the tunnel
 * of HTTP operations and socket events to each agent, and its stack feed.
 */
export function createAgentHub(deps: {
  io: Server;
  directory: HostDirectory;
  stacks: RemoteStacks;
  /** Tells browsers a host changed (`host:changed`). */
  hostChanged: (h: HostSummary & { removed?: boolean }) => void;
  log: Logger;
}): AgentHub {
  const log = deps.log.child({ module: 'agents' });
  const nsp = deps.io.of('/agent') as unknown as Namespace;
  const links = new Map<string, Link>();
  const channels = new Map<string, Channel>();
  /** Per browser socket, its channel on each host (opening or open). */
  const bySocket = new Map<string, Map<string, Promise<string>>>();

  const summaryOf = (id: string): HostSummary | undefined => deps.directory.list().find((h) => h.id === id);
  const announce = (id: string): void => {
    const h = summaryOf(id);
    if (h) deps.hostChanged(h);
  };

  const linkOf = (host: string): Link => {
    const link = links.get(host);
    if (link) return link;
    const h = deps.directory.get(host);
    throw new AppError('HOST_OFFLINE', `host ${h.name} is offline (last seen ${h.lastSeen ?? 'never'})`);
  };

  /** An event with an ack to an agent, failed by a timeout or by the agent going away. */
  const request = <T>(link: Link, event: string, payload: unknown, ms = TUNNEL_TIMEOUT_MS): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const pending: Pending = { reject };
      const done = () => {
        clearTimeout(timer);
        link.inflight.delete(pending);
      };
      const timer = setTimeout(() => {
        done();
        reject(new AppError('HOST_TIMEOUT', `host ${link.name} did not answer in ${ms / 1000} s`));
      }, ms);
      pending.reject = (err) => {
        done();
        reject(err);
      };
      link.inflight.add(pending);
      link.socket.emit(event, payload, (answer: T) => {
        done();
        resolve(answer);
      });
    });

  const dropChannel = (id: string): void => {
    const ch = channels.get(id);
    if (!ch) return;
    channels.delete(id);
    bySocket.get(ch.browser.id)?.delete(ch.host);
  };

  const bind = (socket: Socket, hostId: string, name: string, version: string): void => {
    const old = links.get(hostId);
    // A newer connection of the same agent wins (the old one is half-dead).
    if (old) old.socket.disconnect(true);
    const link: Link = { socket, hostId, name, channels: new Set(), chunks: new Map(), inflight: new Set() };
    links.set(hostId, link);
    deps.directory.seen(hostId, { version, address: socket.handshake.address });
    log.info({ host: hostId, name, version, address: socket.handshake.address }, 'agent connected');
    announce(hostId);

    socket.on('feed:list', (payload: unknown) => {
      const list = StackListPayload.safeParse(payload);
      if (list.success) deps.stacks.replace(hostId, list.data);
    });
    socket.on('feed:changed', (payload: unknown) => {
      const s = StackSummary.safeParse(payload);
      if (s.success) deps.stacks.changed(hostId, s.data);
    });
    socket.on('feed:removed', (payload: unknown) => {
      const r = StackRemoved.safeParse(payload);
      if (r.success) deps.stacks.removed(hostId, r.data.name);
    });
    socket.on('feed:swarm', (payload: unknown) => {
      const c = SwarmChanged.safeParse(payload);
      if (c.success) deps.io.to(STACKS_ROOM).emit('swarm:changed', { ...c.data, host: hostId });
    });
    socket.on('feed:volume-job', (payload: unknown) => {
      const j = ResourceJob.safeParse(payload);
      if (j.success) deps.io.to(STACKS_ROOM).emit('volume:job', { ...j.data, host: hostId });
    });
    socket.on('tunnel:chunk', (payload: unknown) => {
      const c = TunnelChunk.safeParse(payload);
      const entry = c.success ? link.chunks.get(c.data.rid) : undefined;
      if (!c.success || !entry) return;
      entry.size += c.data.data.byteLength;
      if (entry.size <= MAX_TUNNEL_BODY) entry.parts.push(Buffer.from(c.data.data));
    });
    socket.on('tunnel:event', (payload: unknown) => {
      const e = TunnelEvent.safeParse(payload);
      if (!e.success || !RELAYED_EVENTS.has(e.data.event)) return;
      const ch = channels.get(e.data.channel);
      if (!ch || ch.host !== hostId || typeof e.data.payload !== 'object' || e.data.payload === null) return;
      (ch.browser as unknown as Socket).emit(e.data.event, { ...e.data.payload, host: hostId });
    });
    // A silent network (no FIN, no RST) would otherwise keep a dead agent online for long.
    const pinger = setInterval(() => {
      request(link, 'agent:ping', null, PING_INTERVAL_MS).catch(() => {
        if (socket.connected) {
          log.warn({ host: hostId, name }, 'agent did not answer a ping; dropping it');
          socket.disconnect(true);
        }
      });
    }, PING_INTERVAL_MS);
    socket.on('disconnect', (reason) => {
      clearInterval(pinger);
      if (links.get(hostId) !== link) return;
      links.delete(hostId);
      for (const p of [...link.inflight]) {
        p.reject(new AppError('HOST_OFFLINE', `host ${name} went offline`));
      }
      for (const id of link.channels) dropChannel(id);
      deps.directory.seen(hostId);
      deps.stacks.offline(hostId);
      log.warn({ host: hostId, name, reason }, 'agent disconnected');
      announce(hostId);
    });
  };

  nsp.use((socket, next) => {
    const auth = AgentAuth.safeParse(socket.handshake.auth);
    const protocol = auth.success ? auth.data.protocol : 'none';
    if (protocol !== AGENT_PROTOCOL) {
      const message =
        `PROTOCOL: hub speaks protocol ${AGENT_PROTOCOL}, agent ${protocol}; ` +
        'run the same Berth version on the hub and the agent';
      log.warn({ address: socket.handshake.address, protocol }, message);
      next(new Error(message));
      return;
    }
    next();
  });

  nsp.on('connection', (socket) => {
    const nonce = randomBytes(32).toString('base64url');
    const version = AgentAuth.safeParse(socket.handshake.auth).data?.version ?? 'unknown';
    const timer = setTimeout(() => {
      log.warn({ address: socket.handshake.address }, 'agent sent no hello in time');
      socket.disconnect(true);
    }, HELLO_TIMEOUT_MS);
    socket.on('disconnect', () => clearTimeout(timer));
    socket.once('agent:hello', (payload: unknown, ack: unknown) => {
      clearTimeout(timer);
      const reply = typeof ack === 'function' ? (ack as (a: unknown) => void) : () => undefined;
      const hello = AgentHello.safeParse(payload);
      try {
        if (!hello.success) throw new HandshakeRefusal('BAD_SIGNATURE', 'malformed hello');
        const { hostId, name } = deps.directory.verify(nonce, hello.data);
        reply({ ok: true, data: { hostId, name } });
        bind(socket, hostId, name, version);
      } catch (err) {
        const refusal =
          err instanceof HandshakeRefusal ? err : new HandshakeRefusal('BAD_SIGNATURE', 'hello refused');
        if (!(err instanceof HandshakeRefusal)) log.error({ err }, 'agent hello failed');
        log.warn({ address: socket.handshake.address, code: refusal.code }, refusal.message);
        reply({ ok: false, error: { code: refusal.code, message: refusal.message } });
        // The agent leaves on its own after reading the refusal; this is for one that does not.
        setTimeout(() => socket.disconnect(true), 2000).unref();
      }
    });
    socket.emit('agent:challenge', { nonce });
  });

  const openChannel = async (browser: BerthSocket, link: Link): Promise<string> => {
    const id = randomUUID();
    channels.set(id, { browser, host: link.hostId });
    link.channels.add(id);
    const p = browser.data.principal;
    const answer = await request<Ack<null>>(link, 'tunnel:open', {
      channel: id,
      user: p.username,
      // Whose shells the channel may use; a digest, so no session id of the hub leaves it.
      owner: sha256(ownerKey(p)).slice(0, 40),
    });
    if (!answer.ok) throw new AppError(answer.error.code, answer.error.message);
    return id;
  };

  return {
    isOnline: (host) => links.has(host),
    added: (host) => announce(host),
    disconnect: (host) => {
      links.get(host)?.socket.disconnect(true);
      deps.stacks.drop(host);
      deps.hostChanged({
        id: host,
        name: '',
        online: false,
        version: null,
        lastSeen: null,
        address: null,
        removed: true,
      });
    },
    remote: async (call) => {
      const link = linkOf(call.host);
      const rid = randomUUID();
      const entry = { parts: [] as Buffer[], size: 0 };
      link.chunks.set(rid, entry);
      try {
        const answer = await request<unknown>(link, 'tunnel:http', {
          rid,
          method: call.method,
          url: call.url,
          headers: call.headers,
          body: call.body === undefined ? null : JSON.stringify(call.body),
          user: call.principal.username,
        });
        const reply = TunnelHttpReply.safeParse(answer);
        if (!reply.success) throw new AppError('INTERNAL', `host ${link.name} answered something unreadable`);
        if (entry.size > MAX_TUNNEL_BODY) {
          throw new AppError('PAYLOAD_TOO_LARGE', `the reply of host ${link.name} is over 64 MiB`);
        }
        const last = reply.data.body ? [Buffer.from(reply.data.body)] : [];
        let body = Buffer.concat([...entry.parts, ...last]);
        const type = reply.data.headers['content-type'] ?? '';
        if (/^application\/json/i.test(type) && body.length > 0) {
          body = Buffer.from(JSON.stringify(rewriteHost(JSON.parse(body.toString('utf8')), link.hostId)));
        }
        return { status: reply.data.status, headers: reply.data.headers, body };
      } finally {
        link.chunks.delete(rid);
      }
    },
    attach: (browser) => {
      browser.data.relay = async (host, event, payload) => {
        const link = linkOf(host);
        let perHost = bySocket.get(browser.id);
        if (!perHost) bySocket.set(browser.id, (perHost = new Map()));
        let channel = perHost.get(host);
        if (!channel) {
          channel = openChannel(browser, link);
          perHost.set(host, channel);
          channel.catch(() => perHost.delete(host));
        }
        const id = await channel;
        try {
          const answer = AgentAck.safeParse(
            await request(link, 'tunnel:emit', { channel: id, event, payload }),
          );
          return answer.success
            ? (answer.data as Ack<unknown>)
            : {
                ok: false,
                error: { code: 'INTERNAL', message: `host ${link.name} answered something unreadable` },
              };
        } catch (err) {
          const e = err instanceof AppError ? err : new AppError('INTERNAL', 'relay failed');
          return { ok: false, error: { code: e.code, message: e.message } };
        }
      };
      browser.on('disconnect', () => {
        for (const [host, channel] of bySocket.get(browser.id) ?? []) {
          void channel.then(
            (id) => {
              channels.delete(id);
              const link = links.get(host);
              link?.channels.delete(id);
              link?.socket.emit('tunnel:close', { channel: id });
            },
            () => undefined,
          );
        }
        bySocket.delete(browser.id);
      });
    },
    close: () => {
      nsp.disconnectSockets(true);
    },
  };
}
