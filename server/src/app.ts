import { createServer, type Server } from 'node:http';
import express, { type Express } from 'express';
import { AppError } from './errors.js';
import type { HealthService } from './engine/health-service.js';
import { healthRoutes } from './http/health-routes.js';
import { errorMiddleware } from './http/route.js';
import { spaRoutes } from './http/spa.js';
import type { Logger } from './logger.js';

export interface AppDeps {
  logger: Logger;
  health: HealthService;
  /** Folder of the built SPA; when absent, only the API is served. */
  webRoot?: string;
}

export interface BerthApp {
  app: Express;
  server: Server;
  close(): Promise<void>;
}

/** Builds the HTTP server from injected components; no globals, so tests run many on port 0. */
export function createApp(deps: AppDeps): BerthApp {
  const log = deps.logger.child({ module: 'http' });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(express.json({ limit: '1mb' }));

  app.use('/api', healthRoutes(deps.health));
  app.use('/api', (_req, _res, next) => next(new AppError('NOT_FOUND', 'no such API route')));
  if (deps.webRoot) app.use(spaRoutes(deps.webRoot));
  app.use(errorMiddleware(log));

  const server = createServer(app);
  return {
    app,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
