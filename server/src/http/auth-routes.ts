import { Router, type Request, type RequestHandler } from 'express';
import { ChangePasswordRequest, Credentials, SetupRequest, type SessionUser } from '../../../common/api.js';
import type { AuthService } from '../auth/auth-service.js';
import { AppError } from '../errors.js';
import { route } from './route.js';

declare module 'express-session' {
  interface SessionData {
    user: SessionUser;
  }
}

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

export function currentUser(req: Request): SessionUser {
  const user = req.session?.user;
  if (!user) throw new AppError('UNAUTHENTICATED', 'log in first');
  return user;
}

/** Refuses requests without a session before anything of them is parsed. */
export const requireSession: RequestHandler = (req, _res, next) => {
  currentUser(req);
  next();
};

/** Ends a user's other sessions (after a password change). */
export type EndOtherSessions = (username: string, exceptSid: string) => void;

export function authRoutes(auth: AuthService, endOtherSessions: EndOtherSessions): Router {
  const r = Router();
  r.get(
    '/auth/status',
    route({}, ({ req }) => Promise.resolve(auth.status(req.session.user ?? null))),
  );
  r.post(
    '/auth/setup',
    route({ body: SetupRequest, status: 201 }, async ({ body, req }) => {
      const user = await auth.setup(body);
      await startSession(req, user);
      return { user };
    }),
  );
  r.post(
    '/auth/login',
    route({ body: Credentials }, async ({ body, req }) => {
      const user = await auth.login(req.ip ?? 'unknown', body);
      await startSession(req, user);
      return { user };
    }),
  );
  r.post(
    '/auth/logout',
    route({}, async ({ req, res }) => {
      await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
      res.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    }),
  );
  r.post(
    '/auth/password',
    requireSession,
    route({ body: ChangePasswordRequest }, async ({ body, req }) => {
      const { username } = currentUser(req);
      await auth.changePassword(username, body, req.ip ?? 'unknown');
      endOtherSessions(username, req.sessionID);
      return { ok: true };
    }),
  );
  return r;
}

export const SESSION_COOKIE = 'berth.sid';
