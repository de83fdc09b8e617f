import type { Request } from 'express';
import { allows, ROLES, type Access, type Permission } from '../../../common/permissions.js';
import { AppError } from '../errors.js';

/** Who is asking, however they proved it. */
export interface Principal {
  username: string;
  permissions: readonly Permission[];
  /** `session`, or `token:<name>` for API tokens. */
  via: string;
  /** The session the request or socket belongs to, when it came with a cookie. */
  sessionId?: string;
}

/**
 * The principal of a request. A request that carries an `Authorization` header is judged by that
 * header alone, never by a cookie it may also carry (such requests are exempt from the CSRF rule).
 * Only one user kind exists so far: a session's user may do everything.
 */
export function sessionPrincipal(req: Request): Principal | null {
  if (req.headers.authorization !== undefined) return null;
  const user = req.session?.user;
  if (!user) return null;
  return { username: user.username, permissions: ROLES.admin, via: 'session', sessionId: req.sessionID };
}

/** The one rule of access, for HTTP operations and socket events alike: 401 before 403. */
export function authorize(access: Access, principal: Principal | null, what: string): void {
  if (access === 'public') return;
  if (!principal) throw new AppError('UNAUTHENTICATED', 'log in first');
  if (!allows(principal.permissions, access)) {
    throw new AppError('FORBIDDEN', `${what} needs the "${access}" permission`);
  }
}
