import type { Request } from 'express';
import { allows, type Access, type Permission } from '../../../common/permissions.js';
import type { AccessService, TokenRefusal } from '../auth/access-service.js';
import { scopeAllows } from '../auth/stack-scope.js';
import { AppError } from '../errors.js';

/** Who is asking, however they proved it. */
export interface Principal {
  username: string;
  permissions: readonly Permission[];
  /** `session`, or `token:<name>` for API tokens. */
  via: string;
  /** The session the request or socket belongs to, when it came with a cookie. */
  sessionId?: string;
  /** Stack names or globs the principal is limited to; null or absent: every stack. */
  scope?: readonly string[] | null;
  /** The API token the principal came with. */
  tokenId?: string;
}

/** Whether a principal may see and act on the stack `name` (its scope; permissions are apart). */
export function mayUseStack(principal: Principal | null, name: string): boolean {
  return principal !== null && scopeAllows(principal.scope, name);
}

/** The bearer token of an Authorization header; '' for any other kind (refused like a bad token). */
export function bearerToken(header: string): string {
  return /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? '';
}

interface Resolution {
  principal: Principal | null;
  refusal?: TokenRefusal;
}
const resolved = new WeakMap<Request, Resolution>();

/**
 * The principal of a request, resolved once per request. A request that carries an
 * `Authorization` header is judged by that header alone (an API token), never by a cookie it may
 * also carry (such requests are exempt from the CSRF rule). A session's user is loaded afresh, so
 * a role change, a disable or a delete applies to the very next request.
 */
export function principalResolver(
  access: AccessService,
  internal?: (req: Request) => Principal | null,
): (req: Request) => Principal | null {
  return (req) => {
    const known = resolved.get(req);
    if (known) return known.principal;
    let resolution: Resolution;
    const header = req.headers.authorization;
    const relayed = internal?.(req) ?? null;
    if (relayed) {
      resolution = { principal: relayed };
    } else if (header !== undefined) {
      const result = access.tokenIdentity(bearerToken(header), req.ip ?? 'unknown');
      resolution = result.ok ? { principal: result.identity } : { principal: null, refusal: result.refusal };
    } else {
      const user = req.session?.user;
      const identity = user ? access.userIdentity(user.username) : null;
      resolution = { principal: identity ? { ...identity, sessionId: req.sessionID } : null };
    }
    resolved.set(req, resolution);
    return resolution.principal;
  };
}

/** The token a request was refused with, if it came with one (for the audit log). */
export function tokenRefusalOf(req: Request): TokenRefusal | undefined {
  return resolved.get(req)?.refusal;
}

/** The one rule of access, for HTTP operations and socket events alike: 401 before 403. */
export function authorize(access: Access, principal: Principal | null, what: string): void {
  if (access === 'public') return;
  if (!principal) throw new AppError('UNAUTHENTICATED', 'log in first');
  if (!allows(principal.permissions, access)) {
    throw new AppError('FORBIDDEN', `${what} needs the "${access}" permission`);
  }
}

/**
 * Scope: an operation naming a stack outside the principal's scope answers as if the stack did not
 * exist; a scoped principal may not change global things (no stack named) that need more than read.
 */
export function authorizeScope(
  access: Access,
  principal: Principal | null,
  stacks: readonly string[],
  what: string,
  namesStack: boolean,
): void {
  if (!principal?.scope) return;
  for (const name of stacks) {
    if (!mayUseStack(principal, name)) throw new AppError('STACK_NOT_FOUND', `no stack "${name}"`);
  }
  if (!namesStack && (access === 'operate' || access === 'exec' || access === 'edit')) {
    throw new AppError(
      'FORBIDDEN',
      `${what} is not limited to a stack; a principal limited to some stacks may not`,
    );
  }
}
