// Hosts (issue 19): the local engine is host `local`; every other host runs a Berth agent that
// dials out to this hub. Schemas of the hosts API and of the hub <-> agent wire protocol.
import { z } from 'zod';
import { LOCAL_HOST, hostedPath, stackKey, type StackRef } from './host-ref.js';

export { LOCAL_HOST, hostedPath, stackKey, type StackRef };

/** The wire protocol between hub and agent; a hub refuses an agent speaking another. */
export const AGENT_PROTOCOL = 1;

/** `local`, or the id the hub gave an agent's host: `h_` and 10 base32 characters. */
export const HostId = z
  .string()
  .regex(/^(local|h_[a-z2-7]{10})$/, 'a host id is "local" or "h_" and 10 letters a-z or digits 2-7');
export type HostId = z.infer<typeof HostId>;

/** The `host` of a socket payload: absent means `local`. */
export const OptionalHost = HostId.optional().describe('the host (absent: `local`)');

export const HostName = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
    'a host name is 1 to 63 letters, digits, ".", "_" or "-", starting with a letter or digit',
  );

export const HostSummary = z.object({
  id: HostId,
  name: z.string(),
  online: z.boolean(),
  /** The agent's Berth version (the hub's own for `local`); null before its first connection. */
  version: z.string().nullable(),
  /** ISO time the hub last heard of it (now while online); null before its first connection. */
  lastSeen: z.string().nullable(),
  /** Where the agent's connection came from; null for `local` and hosts never seen. */
  address: z.string().nullable(),
});
export type HostSummary = z.infer<typeof HostSummary>;
export const HostList = z.array(HostSummary);

export const CreateHostRequest = z.object({ name: HostName });
export type CreateHostRequest = z.infer<typeof CreateHostRequest>;
export const CreatedHost = z.object({
  id: HostId,
  enrollToken: z.string().describe('single use, expires in 1 hour; shown this once'),
  command: z.string().describe('the command line to run on the new host'),
});
export type CreatedHost = z.infer<typeof CreatedHost>;

// ---- hub <-> agent wire (namespace /agent) ----

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
