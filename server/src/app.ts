import { createServer, type Server } from 'node:http';
import express, { type Express, type RequestHandler } from 'express';
import session, { type Store } from 'express-session';
import type { AuthService } from './auth/auth-service.js';
import type { JobStore } from './compose/job-store.js';
import type { HealthService } from './engine/health-service.js';
import { AppError } from './errors.js';
import { authHandlers, SESSION_COOKIE, type EndOtherSessions } from './http/auth-routes.js';
import { composeToolHandlers } from './http/convert-routes.js';
import { healthHandlers } from './http/health-routes.js';
import { hostHandlers } from './http/host-routes.js';
import { jobHandlers } from './http/job-routes.js';
import { logsHandlers } from './http/logs-routes.js';
import { openApiHandlers } from './http/openapi-routes.js';
import { principalResolver } from './http/principal.js';
import { errorMiddleware, operationRouter, type Handlers } from './http/route.js';
import { csrfGuard, type TrustFn } from './http/same-origin.js';
import { containerHandlers } from './http/containers-routes.js';
import { imageHandlers } from './http/images-routes.js';
import { networkHandlers } from './http/networks-routes.js';
import { volumeHandlers } from './http/volumes-routes.js';
import { spaRoutes } from './http/spa.js';
import { stackHandlers } from './http/stack-routes.js';
import { updatesHandlers } from './http/updates-routes.js';
import { stackFileHandlers } from './http/stack-file-routes.js';
import type { StackExtraFiles } from './stacks/stack-files.js';
import { swarmHandlers } from './http/swarm-routes.js';
import { templateHandlers } from './http/template-routes.js';
import type { TemplateService } from './templates/template-service.js';
import type { SwarmService } from './swarm/swarm-service.js';
import type { Logger } from './logger.js';
import type { LogService } from './logs/log-service.js';
import type { ContainerService } from './resources/container-service.js';
import type { ImageService } from './resources/image-service.js';
import type { NetworkService } from './resources/network-service.js';
import type { ResourceJobs } from './resources/resource-jobs.js';
import type { VolumeService } from './resources/volume-service.js';
import type { StackService } from './stacks/stack-service.js';
import type { HostService } from './stats/host-service.js';
import type { UpdateService } from './updates/update-service.js';
import type { AccessService } from './auth/access-service.js';
import type { AuditService } from './auth/audit-service.js';
import { auditTrail } from './http/audit-trail.js';
import { accountHandlers, type UserSessions } from './http/user-routes.js';
import type { HostDirectory } from './agents/host-directory.js';
import { hostsHandlers } from './http/hosts-routes.js';
import type { InternalAuth } from './http/internal-principal.js';
import type { RemoteCall, RemoteReply } from './http/route.js';

export interface AppDeps {
  logger: Logger;
  health: HealthService;
  auth: AuthService;
  sessions: { store: Store; secret: string; endOtherSessions: EndOtherSessions };
  stacks: StackService;
  jobs: JobStore;
  host: HostService;
  logs: LogService;
  updates: UpdateService;
  resources: {
    images: ImageService;
    volumes: VolumeService;
    networks: NetworkService;
    containers: ContainerService;
    jobs: ResourceJobs;
  };
  /** Override, include and extends files of stacks. */
  files: StackExtraFiles;
  swarm: SwarmService;
  /** The template catalogue, save-as-template, Portainer import, stacks from templates. */
  templates: TemplateService;
  /** Folder of the built SPA; when absent, only the API is served. */
  webRoot?: string;
  /** Express's `trust proxy` (whose X-Forwarded-* to believe); loopback when absent. */
  trustProxy?: boolean | number | string;
  /** Parse every reply with its schema; on under test (NODE_ENV=test) unless given. */
  checkReplies?: boolean;
  /** Users, roles, tokens and the audit log. */
  accounts: { access: AccessService; audit: AuditService; sessions: UserSessions };
  /** Hosts (issue 19): the list, and another host's share of hosted operations (its agent). */
  hosts: {
    service: HostDirectory;
    /** BERTH_PUBLIC_URL: the hub's address in enrolment commands; else the request's own. */
    publicUrl?: string;
    remote?: (call: RemoteCall) => Promise<RemoteReply>;
  };
  /** Agent mode: requests of the link to the hub, proven by an in-memory secret, act for a hub user. */
  internal?: InternalAuth;
}

export interface BerthApp {
  app: Express;
  server: Server;
  sessionMiddleware: RequestHandler;
  /** Whether the peer at an address is a trusted proxy (the same rule for HTTP and sockets). */
  trust: TrustFn;
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

  const trust = (): TrustFn => app.get('trust proxy fn') as TrustFn;
  // Every operation of the table, once; the compiler wants a handler for each.
  const handlers: Handlers = {
    ...healthHandlers(deps.health),
    ...openApiHandlers(),
    ...authHandlers(deps.auth, deps.sessions.endOtherSessions, deps.accounts.access),
    ...stackHandlers(deps.stacks),
    ...jobHandlers(deps.jobs),
    ...composeToolHandlers(deps.stacks),
    ...stackFileHandlers(deps.files),
    ...hostHandlers(deps.host),
    ...logsHandlers(deps.logs, log.child({ module: 'logs' })),
    ...updatesHandlers(deps.updates),
    ...imageHandlers(deps.resources.images),
    ...volumeHandlers(deps.resources.volumes, deps.resources.jobs),
    ...networkHandlers(deps.resources.networks),
    ...containerHandlers(deps.resources.containers),
    ...accountHandlers(deps.accounts.access, deps.accounts.audit, deps.accounts.sessions),
    ...swarmHandlers(deps.swarm),
    ...templateHandlers(deps.templates),
    ...hostsHandlers(deps.hosts.service, deps.hosts.publicUrl),
  };
  const internal = deps.internal;
  // A session's user or an API token (or, on an agent, the hub's link), resolved once per request.
  const principalOf = principalResolver(
    deps.accounts.access,
    internal ? (req) => internal.principal(req.headers) : undefined,
  );

  app.use('/api', auditTrail(deps.accounts.audit, principalOf, log));
  const csrf = csrfGuard(trust);
  // The hub's link is no browser: its secret header cannot come from a cross-site page.
  app.use('/api', (req, res, next) => (internal?.principal(req.headers) ? next() : csrf(req, res, next)));
  app.use('/api', express.json({ limit: '1mb' }));
  app.use('/api', sessionMiddleware);
  app.use(
    '/api',
    operationRouter(handlers, {
      principal: principalOf,
      log,
      checkReplies: deps.checkReplies ?? process.env.NODE_ENV === 'test',
      remote: deps.hosts.remote,
    }),
  );
  // Strangers learn nothing of which routes exist.
  app.use('/api', (req, _res, next) =>
    next(
      principalOf(req)
        ? new AppError('NOT_FOUND', 'no such API route')
        : new AppError('UNAUTHENTICATED', 'log in first'),
    ),
  );
  if (deps.webRoot) app.use(spaRoutes(deps.webRoot));
  app.use(errorMiddleware(log));

  const server = createServer(app);
  return {
    app,
    server,
    sessionMiddleware,
    trust: (addr, hop) => trust()(addr, hop),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
