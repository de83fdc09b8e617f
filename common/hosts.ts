// Hosts (issue 19): the local engine is host `local`; every other host runs a Berth agent that
// dials out to this hub. Schemas of the hosts API and of the hub <-> agent wire protocol.
import { z } from 'zod';
import { LOCAL_HOST, hostedPath, stackKey, type StackRef } from './host-ref.js';

export { LOCAL_HOST, hostedPath, stackKey, type StackRef };

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
  expiresAt: z.string().describe('ISO time the token stops working'),
});
export type CreatedHost = z.infer<typeof CreatedHost>;
