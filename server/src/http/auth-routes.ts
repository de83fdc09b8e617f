import type { Request } from 'express';
import type { SessionUser } from '../../../common/api.js';
import type { AuthService } from '../auth/auth-service.js';
import type { Handlers } from './route.js';

declare module 'express-session' {
  interface SessionData {
    user: SessionUser;
  }
}

export const SESSION_COOKIE = 'berth.sid';

/** A new session id on every login defeats session fixation. */
function startSession(req: Request, user: SessionUser): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err as Error);
      req.session.user = user;
      req.session.save((e) => (e ? reject(e as Error) : resolve()));
    });
  });
}

/** Ends a user's other sessions (after a password change). */
export type EndOtherSessions = (username: string, exceptSid: string) => void;

type AuthOps = 'getAuthStatus' | 'setup' | 'login' | 'logout' | 'changePassword';

export function authHandlers(auth: AuthService, endOtherSessions: EndOtherSessions): Handlers<AuthOps> {
  return {
    getAuthStatus: ({ req }) => auth.status(req.session.user ?? null),
    setup: async ({ body, req }) => {
      const user = await auth.setup(body);
      await startSession(req, user);
      return { user };
    },
    login: async ({ body, req }) => {
      const user = await auth.login(req.ip ?? 'unknown', body);
      await startSession(req, user);
      return { user };
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
