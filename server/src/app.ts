import { createServer, type Server } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import session, { type Store } from 'express-session';
import type { AuthService } from './auth/auth-service.js';
import type { JobStore } from './compose/job-store.js';
import type { HealthService } from './engine/health-service.js';
import { AppError } from './errors.js';
import { authRoutes, requireSession, SESSION_COOKIE, type EndOtherSessions } from './http/auth-routes.js';
import { convertRoutes } from './http/convert-routes.js';
import { healthRoutes } from './http/health-routes.js';
import { jobRoutes } from './http/job-routes.js';
import { openApiRoutes } from './http/openapi-routes.js';
import { errorMiddleware } from './http/route.js';
import { spaRoutes } from './http/spa.js';
import { stackRoutes } from './http/stack-routes.js';
import { stackFileRoutes } from './http/stack-file-routes.js';
import type { StackExtraFiles } from './stacks/stack-files.js';
import { validateRoutes } from './http/validate-routes.js';
import type { Logger } from './logger.js';
import type { ComposeValidator } from './stacks/stack-store.js';
import type { StackService } from './stacks/stack-service.js';

export interface AppDeps {
  logger: Logger;
  health: HealthService;
  auth: AuthService;
  sessions: { store: Store; secret: string; endOtherSessions: EndOtherSessions };
  stacks: StackService;
  jobs: JobStore;
  validate: ComposeValidator;
  /** Override, include and extends files of stacks. */
  files?: StackExtraFiles;
  /** Folder of the built SPA; when absent, only the API is served. */
  webRoot?: string;
  /** Express's `trust proxy` (whose X-Forwarded-* to believe); loopback when absent. */
  trustProxy?: boolean | number | string;
}

export interface BerthApp {
  app: Express;
  server: Server;
  sessionMiddleware: RequestHandler;
  close(): Promise<void>;
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** Builds the HTTP server from injected components; no globals, so tests run many on port 0. */
export function createApp(deps: AppDeps): BerthApp {
  const log = deps.logger.child({ module: 'http' });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? 'loopback');

  const sessionMiddleware = session({
    name: SESSION_COOKIE,
    secret: deps.sessions.secret,
    store: deps.sessions.store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'strict', secure: 'auto', maxAge: WEEK_MS, path: '/' },
  });

  app.use('/api', express.json({ limit: '1mb' }));
  app.use('/api', healthRoutes(deps.health));
  app.use('/api', openApiRoutes());
  app.use('/api', sessionMiddleware);
  app.use('/api', authRoutes(deps.auth, deps.sessions.endOtherSessions));
  // Everything below needs a session.
  app.use('/api', requireSession);
  app.use('/api', stackRoutes(deps.stacks));
  if (deps.files) app.use('/api', stackFileRoutes(deps.files));
  app.use('/api', jobRoutes(deps.jobs));
  app.use('/api', validateRoutes(deps.stacks));
  app.use('/api', convertRoutes());
  app.use('/api', (_req, _res, next) => next(new AppError('NOT_FOUND', 'no such API route')));
  if (deps.webRoot) app.use(spaRoutes(deps.webRoot));
  app.use(errorMiddleware(log));

  const server = createServer(app);
  return {
    app,
    server,
    sessionMiddleware,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
