import type { Request } from 'express';
import type { SessionUser } from '../../../common/api.js';
import type { AuthUser } from '../../../common/users.js';
import type { AccessService } from '../auth/access-service.js';
import type { AuthService } from '../auth/auth-service.js';
import { AppError } from '../errors.js';
import type { Handlers } from './route.js';

declare module 'express-session' {
  interface SessionData {
    user: SessionUser;
    /** When and from where the session began (the user's session list shows it). */
    meta?: { createdAt: string; address: string };
  }
}

export const SESSION_COOKIE = 'berth.sid';

/** A new session id on every login defeats session fixation. */
export function startSession(req: Request, user: SessionUser): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err as Error);
      req.session.user = { username: user.username };
      req.session.meta = { createdAt: new Date().toISOString(), address: req.ip ?? 'unknown' };
      req.session.save((e) => (e ? reject(e as Error) : resolve()));
    });
  });
}

/** Ends a user's other sessions (after a password change). */
export type EndOtherSessions = (username: string, exceptSid: string) => void;

type AuthOps = 'getAuthStatus' | 'setup' | 'login' | 'logout' | 'changePassword';

/** The signed-in user as the SPA is told (role and permissions); gone or disabled: 401. */
export function authUserOf(access: AccessService, username: string): AuthUser {
  const user = access.describe(username);
  if (!user) throw new AppError('UNAUTHENTICATED', 'this user no longer exists or is disabled');
  return user;
}

export function authHandlers(
  auth: AuthService,
  endOtherSessions: EndOtherSessions,
  access: AccessService,
): Handlers<AuthOps> {
  return {
    getAuthStatus: ({ req, principal }) => {
      const { setupRequired } = auth.status(null);
      // A request with a token is told about the token's owner; a cookie about its session's user.
      const username = principal?.username ?? req.session.user?.username;
      return { setupRequired, user: username ? access.describe(username) : null };
    },
    setup: async ({ body, req }) => {
      const user = await auth.setup(body);
      await startSession(req, user);
      return { user: authUserOf(access, user.username) };
    },
    login: async ({ body, req }) => {
      const user = await auth.login(req.ip ?? 'unknown', body);
      await startSession(req, user);
      return { user: authUserOf(access, user.username) };
    },
    // The store tells the realtime layer, which disconnects this session's sockets.
    logout: async ({ req, res }) => {
      await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true as const };
    },
    changePassword: async ({ body, req, principal }) => {
      const username = principal?.username ?? '';
      await auth.changePassword(username, body, req.ip ?? 'unknown');
      endOtherSessions(username, req.sessionID);
      return { ok: true as const };
    },
  };
}
