import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { PERMISSIONS } from '../../../common/permissions.js';
import type { Principal } from './principal.js';

export const INTERNAL_HEADER = 'x-berth-internal';
/** The hub user a relayed request is done for (the agent's audit log names them). */
export const USER_HEADER = 'x-berth-user';
/** Whose shells a relayed socket may use: the hub side's owner of the browser socket. */
export const OWNER_HEADER = 'x-berth-owner';

/**
 * Agent mode: the agent's own server accepts requests and sockets from its link to the hub, proven
 * by a random secret made at start and kept in memory only (never written anywhere). Anything
 * else, having no session or token on an agent, is refused as usual.
 */
export interface InternalAuth {
  principal(headers: IncomingHttpHeaders): Principal | null;
  headers(user: string, owner?: string): Record<string, string>;
}

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

export function internalAuth(secret: string = randomBytes(32).toString('base64url')): InternalAuth {
  const expected = Buffer.from(secret);
  return {
    principal: (headers) => {
      const given = one(headers[INTERNAL_HEADER]);
      if (given === undefined) return null;
      const got = Buffer.from(given);
      if (got.length !== expected.length || !timingSafeEqual(got, expected)) return null;
      const user = (one(headers[USER_HEADER]) ?? 'hub').slice(0, 64) || 'hub';
      const owner = one(headers[OWNER_HEADER]);
      return {
        username: user,
        permissions: PERMISSIONS,
        via: 'hub',
        ...(owner ? { sessionId: `hub:${owner.slice(0, 128)}` } : {}),
      };
    },
    headers: (user, owner) => ({
      [INTERNAL_HEADER]: secret,
      [USER_HEADER]: user,
      ...(owner ? { [OWNER_HEADER]: owner } : {}),
    }),
  };
}
