// The wire between a hub and its agents (socket.io namespace /agent): not part of the public API.
import { z } from 'zod';
import { HostId } from './hosts.js';

/** The wire protocol between hub and agent; a hub refuses an agent speaking another. */
export const AGENT_PROTOCOL = 1;

export const AgentAuth = z.object({ protocol: z.number().int(), version: z.string().max(64) });
export const AgentChallenge = z.object({ nonce: z.string().min(16).max(128) });
export const AgentHello = z.union([
  z.object({
    enroll: z.string().min(16).max(128),
    publicKey: z.string().min(40).max(2000),
    signature: z.string().min(16).max(256),
  }),
  z.object({ hostId: HostId, signature: z.string().min(16).max(256) }),
]);
export type AgentHello = z.infer<typeof AgentHello>;
export const AgentWelcome = z.object({ hostId: HostId, name: z.string() });

export const TunnelHttpRequest = z.object({
  /** Names the request's `tunnel:chunk` events. */
  rid: z.string().max(64),
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
  /** `/api/...` with the query string. */
  url: z.string().startsWith('/api/').max(8192),
  headers: z.record(z.string(), z.string()),
  /** JSON text of the body, when there is one. */
  body: z.string().nullable(),
  /** The hub user it is done for (the agent's audit log names them). */
  user: z.string().max(64),
});
export type TunnelHttpRequest = z.infer<typeof TunnelHttpRequest>;

export const TunnelHttpReply = z.object({
  status: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.string()),
  /** The body, or its last part when `tunnel:chunk` events carried the rest. */
  body: z.instanceof(Uint8Array).nullable(),
});
export const TunnelChunk = z.object({ rid: z.string().max(64), data: z.instanceof(Uint8Array) });
export const TunnelOpen = z.object({
  channel: z.string().max(64),
  user: z.string().max(64),
  /** A digest of the hub side's owner of the browser socket: whose shells it may use. */
  owner: z.string().max(128),
});
export const TunnelEmit = z.object({
  channel: z.string().max(64),
  event: z.string().max(64),
  payload: z.unknown(),
});
export const TunnelClose = z.object({ channel: z.string().max(64) });
export const TunnelEvent = z.object({
  channel: z.string().max(64),
  event: z.string().max(64),
  payload: z.unknown(),
});
