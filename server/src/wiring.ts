import path from 'node:path';
import { createApp, type AppDeps, type BerthApp } from './app.js';
import { AuthService } from './auth/auth-service.js';
import { openDatabase } from './auth/database.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { loadOrCreateSessionSecret } from './auth/session-secret.js';
import { SqliteSessionStore } from './http/sqlite-session-store.js';
import { UserStore } from './auth/user-store.js';
import { DockerComposeCli, type ComposeCli } from './compose/compose-cli.js';
import { ComposeRunner } from './compose/compose-runner.js';
import { JobStore } from './compose/job-store.js';
import type { Config } from './config.js';
import { DockerEngineClient, type EngineClient } from './engine/engine-client.js';
import { EngineState } from './engine/engine-state.js';
import { HealthService } from './engine/health-service.js';
import { LogHub, type LogHubOptions } from './logs/log-hub.js';
import { LogQuery } from './logs/log-query.js';
import { LogService } from './logs/log-service.js';
import { logsHandlers } from './realtime/logs-handlers.js';
import { createRealtime, type Realtime } from './realtime/realtime-server.js';
import { statsHandlers } from './realtime/stats-handlers.js';
import { ContainerService } from './resources/container-service.js';
import { ImageService } from './resources/image-service.js';
import { NetworkService } from './resources/network-service.js';
import { ResourceJobs } from './resources/resource-jobs.js';
import { VolumeService } from './resources/volume-service.js';
import { roomSink, terminalHandlers } from './realtime/terminal-handlers.js';
import { HostProbe, realHostFiles } from './stats/host-probe.js';
import { HostService } from './stats/host-service.js';
import { StatsSampler } from './stats/stats-sampler.js';
import { ExecSessions } from './terminals/exec-sessions.js';
import { HubActionTerminal } from './terminals/hub-action-terminal.js';
import { TerminalHub } from './terminals/terminal-hub.js';
import type { Logger } from './logger.js';
import { StackHistory } from './stacks/stack-history.js';
import { StackPaths } from './stacks/stack-paths.js';
import { StackFeed } from './stacks/stack-feed.js';
import { StackService } from './stacks/stack-service.js';
import { StackStore } from './stacks/stack-store.js';
import { StackChecker } from './stacks/stack-check.js';
import { StackExtraFiles } from './stacks/stack-files.js';
import { DockerComposeOracle } from './compose/compose-oracle.js';
import { childEnv } from './lib/child-env.js';
import { validateCompose } from './validate/compose-validator.js';
import { DockerConfigCredentials, type CredentialSource } from './updates/docker-credentials.js';
import { Notifier } from './updates/notifier.js';
import { RegistryClient } from './updates/registry-client.js';
import { SafeUpdater } from './updates/safe-updater.js';
import { UpdateChecker } from './updates/update-checker.js';
import { DockerUpdateEngine, type UpdateEngine } from './updates/update-engine.js';
import { UpdateService } from './updates/update-service.js';
import { UpdateStore } from './updates/update-store.js';
import { AccessEvents } from './auth/access-events.js';
import { AccessService } from './auth/access-service.js';
import { AuditLog } from './auth/audit-log.js';
import { AuditService } from './auth/audit-service.js';
import { InviteStore } from './auth/invite-store.js';
import { SettingsStore } from './auth/settings-store.js';
import { TokenStore } from './auth/token-store.js';
import { ComposeConfigRenderer } from './swarm/render.js';
import { DockerSwarmEngine, dockerOptionsFor, type SwarmEngine } from './swarm/swarm-engine.js';
import { SwarmService } from './swarm/swarm-service.js';
import { SwarmState } from './swarm/swarm-state.js';
import { defaultBuiltinTemplatesDir } from './templates/builtin-dir.js';
import { TemplateService } from './templates/template-service.js';
import { TemplateStore } from './templates/template-store.js';
import { HostDirectory } from './agents/host-directory.js';
import { HostStore } from './agents/host-store.js';
import type { InternalAuth } from './http/internal-principal.js';
import { packageVersion } from './http/openapi-routes.js';
import { RemoteStacks } from './agents/remote-stacks.js';
import { createAgentHub, type AgentHub } from './realtime/agent-hub.js';
import { STACKS_ROOM } from './realtime/realtime-server.js';
import type { Server as IoServer } from 'socket.io';

export interface Berth {
  http: BerthApp;
  realtime: Realtime;
  engineState: EngineState;
  swarmState: SwarmState;
  hub: TerminalHub;
  store: StackStore;
  stacks: StackService;
  auth: AuthService;
  jobs: JobStore;
  sampler: StatsSampler;
  updates: UpdateService;
  resources: AppDeps['resources'];
  logHub: LogHub;
  access: AccessService;
  audit: AuditService;
  hosts: HostDirectory;
  close(): Promise<void>;
}

export interface BerthOverrides {
  engine?: EngineClient;
  compose?: ComposeCli;
  swarmEngine?: SwarmEngine;
  webRoot?: string;
  updateEngine?: UpdateEngine;
  credentials?: CredentialSource;
  /** Safe-update timing for tests (settle time of services without a healthcheck). */
  updateSettleMs?: number;
  /** First scheduled update check after start. */
  updateFirstCheckMs?: number;
  logs?: LogHubOptions;
  /** Agent mode: the hub's link authenticates with this in-memory secret (see internal-principal.ts). */
  internal?: InternalAuth;
}

/** The composition root: real adapters for a config. main.ts and integration tests use it. */
export async function createBerth(
  config: Config,
  logger: Logger,
  overrides: BerthOverrides = {},
): Promise<Berth> {
  const compose = overrides.compose ?? new DockerComposeCli();
  // An explicit engine (config.dockerHost) goes to dockerode and to every docker child alike;
  // the environment's own DOCKER_HOST is left to dockerode, which also reads its TLS settings.
  const dockerOptions =
    config.dockerHost && config.dockerHost !== process.env.DOCKER_HOST
      ? dockerOptionsFor(config.dockerHost)
      : {};
  const engine = overrides.engine ?? new DockerEngineClient(dockerOptions);
  const health = new HealthService(engine, compose, logger.child({ module: 'health' }));

  const db = openDatabase(config.dataDir);
  const userStore = new UserStore(db);
  const auth = new AuthService({
    users: userStore,
    throttle: new LoginThrottle(),
    log: logger.child({ module: 'auth' }),
  });
  if (config.adminUser && config.adminPassword) {
    await auth.ensureAdmin(config.adminUser, config.adminPassword);
  }
  const sessionStore = new SqliteSessionStore(db, { log: logger.child({ module: 'sessions' }) });
  const access = new AccessService({
    users: userStore,
    tokens: new TokenStore(db),
    invites: new InviteStore(db),
    throttle: new LoginThrottle(),
    events: new AccessEvents(),
    log: logger.child({ module: 'access' }),
  });
  const audit = new AuditService(new AuditLog(db), new SettingsStore(db), logger.child({ module: 'audit' }));
  audit.start();

  const paths = new StackPaths(config.stacksDir);
  const checker = new StackChecker(new DockerComposeOracle(), childEnv());
  const store = new StackStore(
    paths,
    new StackHistory(path.join(config.dataDir, 'history')),
    validateCompose,
    logger.child({ module: 'stacks' }),
    config.stacksDepth,
  );
  await store.start();
  const jobs = new JobStore();
  // The hub exists before socket.io does; its output finds the rooms once they exist.
  const ref: { realtime?: Realtime } = {};
  const hub = new TerminalHub({
    sink: roomSink(() => ref.realtime),
    log: logger.child({ module: 'terminals' }),
  });
  const scratchDir = path.join(config.dataDir, 'run');
  // The runner asks the stack service (made below) for a stack's compose project.
  const stacksRef: { current?: StackService } = {};
  const runner = new ComposeRunner({
    compose,
    terminal: new HubActionTerminal(hub),
    jobs,
    log: logger.child({ module: 'compose' }),
    scratchDir,
    projectOf: (stack) => stacksRef.current?.projectOf(stack) ?? stack,
    dockerHost: config.dockerHost,
  });
  const engineState = new EngineState(engine, logger.child({ module: 'engine' }));
  await engineState.start();
  const swarmEngine = overrides.swarmEngine ?? new DockerSwarmEngine(dockerOptions);
  const swarmState = new SwarmState(swarmEngine, logger.child({ module: 'swarm' }));
  await swarmState.start();
  const swarm = new SwarmService({
    store,
    runner,
    state: swarmState,
    engine: swarmEngine,
    renderer: new ComposeConfigRenderer({ dockerHost: config.dockerHost }),
    log: logger.child({ module: 'swarm' }),
  });
  const stacks = new StackService(
    store,
    engineState,
    runner,
    logger.child({ module: 'stacks' }),
    checker,
    swarm,
  );
  stacksRef.current = stacks;
  const updateEngine = overrides.updateEngine ?? new DockerUpdateEngine();
  const updateStore = new UpdateStore(db);
  const updateLog = logger.child({ module: 'updates' });
  const fileHistory = new StackHistory(path.join(config.dataDir, 'history'));
  const ref2: { updates?: UpdateService } = {};
  const updater = new SafeUpdater(
    {
      runner,
      engine: updateEngine,
      stacks: {
        read: (name) => store.read(name),
        dirOf: (name) => store.dirOf(name),
        recordHistory: async (name, version) => (await fileHistory.record(name, version)).id,
      },
      store: updateStore,
      log: updateLog,
      workDir: path.join(scratchDir, 'updates'),
      onFinished: (outcome) => void ref2.updates?.afterUpdate(outcome),
    },
    { healthTimeoutMs: config.updateHealthTimeoutMs, settleMs: overrides.updateSettleMs },
  );
  const updates = new UpdateService(
    {
      checker: new UpdateChecker({
        engine: updateEngine,
        registry: new RegistryClient({
          credentials: overrides.credentials ?? new DockerConfigCredentials(),
          log: updateLog,
        }),
        log: updateLog,
      }),
      store: updateStore,
      updater,
      notifier: new Notifier(updateLog),
      stacks: { names: () => store.list().map((i) => i.name), read: (name) => store.read(name) },
      log: updateLog,
      startUpdate: (name, actor) => stacks.action(name, 'update', actor),
    },
    {
      intervalMs: config.updateIntervalMs ?? 6 * 3_600_000,
      firstCheckMs: overrides.updateFirstCheckMs,
      autoWindow: config.updateWindow ?? null,
    },
  );
  ref2.updates = updates;
  stacks.useUpdates(updates);
  const exec = new ExecSessions({
    hub,
    runtime: {
      runtimeOf: (stack) => engineState.runtimeOf(stacks.projectOf(stack)),
      projects: () => engineState.projects(),
    },
    log: logger.child({ module: 'exec' }),
    cwd: scratchDir,
    dockerHost: config.dockerHost,
  });

  const hostProbe = new HostProbe(realHostFiles, () => [
    config.stacksDir,
    ...(host.dockerRoot ? [host.dockerRoot] : []),
  ]);
  const host: HostService = new HostService(
    engine,
    hostProbe,
    () => stacks.list().map((s) => s.status),
    logger.child({ module: 'host' }),
  );
  const sampler = new StatsSampler(
    engine,
    {
      running: () =>
        engineState.projects().flatMap((stack) =>
          engineState
            .runtimeOf(stack)
            .containers.filter((c) => c.state === 'running')
            .map((c) => ({ id: c.id, stack, service: c.service })),
        ),
    },
    hostProbe,
    logger.child({ module: 'stats' }),
    { beforeHost: () => host.learnDockerRoot() },
  );
  const resourceJobs = new ResourceJobs();
  const resources = {
    images: new ImageService(engine, logger.child({ module: 'images' })),
    volumes: new VolumeService({
      engine,
      jobs: resourceJobs,
      backupsDir: path.join(config.dataDir, 'backups'),
      stackNames: () => new Set(store.list().map((s) => stacks.projectOf(s.name))),
      log: logger.child({ module: 'volumes' }),
    }),
    networks: new NetworkService(engine, config.dockerDaemonConfig, logger.child({ module: 'networks' })),
    containers: new ContainerService(engine, logger.child({ module: 'containers' })),
    jobs: resourceJobs,
  };
  const logHub = new LogHub(engine, engineState, logger.child({ module: 'logs' }), overrides.logs);
  const logs = new LogService(
    logHub,
    new LogQuery(engine),
    (name) => stacks.summaryByName(name) !== null,
    (name) => stacks.projectOf(name),
  );

  const templates = new TemplateService({
    store: new TemplateStore(
      {
        builtin: config.builtinTemplatesDir ?? defaultBuiltinTemplatesDir(),
        user: path.join(config.dataDir, 'templates'),
        trash: path.join(config.dataDir, 'trash', 'templates'),
      },
      logger.child({ module: 'templates' }),
    ),
    stacks: {
      create: (name, yaml, env) => stacks.create(name, yaml, env),
      read: (name) => store.read(name),
      dirOf: (name) => store.dirOf(name),
    },
    log: logger.child({ module: 'templates' }),
    allowPrivateUrls: config.templateImportPrivate ?? false,
  });

  const hosts = new HostDirectory({
    store: new HostStore(db),
    log: logger.child({ module: 'hosts' }),
    version: packageVersion(),
    localName: config.hostName,
  });
  // Hub: agents' stacks and the tunnel to them (an agent itself has none).
  const isAgent = overrides.internal !== undefined;
  const remoteStacks = new RemoteStacks((h, m) => ref.realtime?.publishHost(h, m));
  const agents: { hub?: AgentHub } = {};
  const http = createApp({
    logger,
    health,
    auth,
    sessions: {
      store: sessionStore,
      secret: loadOrCreateSessionSecret(config.dataDir, logger.child({ module: 'auth' })),
      endOtherSessions: (username, sid) => void sessionStore.destroyUserSessions(username, sid),
    },
    stacks,
    jobs,
    host,
    updates,
    resources,
    logs,
    files: new StackExtraFiles(store, paths, checker),
    swarm,
    templates,
    webRoot: overrides.webRoot,
    trustProxy: config.trustProxy,
    accounts: {
      access,
      audit,
      sessions: {
        list: (username) => sessionStore.sessionsOf(username),
        end: (username, exceptSid) => sessionStore.destroyUserSessions(username, exceptSid),
      },
    },
    hosts: {
      service: hosts,
      publicUrl: config.publicUrl,
      remote: isAgent
        ? undefined
        : (call) => {
            if (!agents.hub) throw new Error('the agent hub is not ready');
            return agents.hub.remote(call);
          },
    },
    internal: overrides.internal,
  });

  const terminals = terminalHandlers(hub, exec, logger.child({ module: 'realtime' }), async (id) => {
    const stack = /^stack:(.+)$/.exec(id)?.[1];
    if (stack && !hub.has(id) && (await store.exists(stack))) hub.note(id, '');
  });
  const stats = statsHandlers(
    sampler,
    (name) => stacks.summaryByName(name) !== null,
    logger.child({ module: 'realtime' }),
    (name) => stacks.projectOf(name),
  );
  const logsOn = logsHandlers(logs, logger.child({ module: 'realtime' }));
  const realtime = createRealtime({
    server: http.server,
    sessionMiddleware: http.sessionMiddleware,
    stacks,
    log: logger,
    trust: http.trust,
    sessions: {
      onEnded: (listener) => sessionStore.onEnded(listener),
      isAlive: (sid) =>
        new Promise((resolve) => sessionStore.get(sid, (err, s) => resolve(!err && Boolean(s?.user)))),
    },
    access,
    audit: (entry) => audit.record(entry),
    internal: overrides.internal,
    agents: !isAgent,
    remoteStacks: () => remoteStacks.all(),
    register: (socket) => {
      agents.hub?.attach(socket);
      terminals(socket);
      stats(socket);
      logsOn(socket);
    },
  });
  ref.realtime = realtime;
  if (!isAgent) {
    agents.hub = createAgentHub({
      io: realtime.io as unknown as IoServer,
      directory: hosts,
      stacks: remoteStacks,
      hostChanged: (h) => realtime.io.to(STACKS_ROOM).emit('host:changed', h),
      log: logger,
    });
    hosts.useLinks(agents.hub);
  }
  const stopJobFeed = resourceJobs.onUpdate((job) => realtime.io.emit('volume:job', job));
  const feed = new StackFeed(
    (name) => stacks.summaryByName(name),
    (m) => realtime.publish(m),
    logger.child({ module: 'feed' }),
  );
  feed.seed(stacks.list());
  store.onChange((e) => feed.touch([e.type === 'changed' ? e.info.name : e.name]));
  engineState.onChange((projects) => feed.touch(stacks.namesOfProjects(projects)));
  updates.onChange((names) => feed.touch(names));
  updates.startSchedule();
  swarmState.onChange((names) => {
    feed.touch(names);
    for (const stack of names) realtime.io.emit('swarm:changed', { stack });
  });

  return {
    http,
    realtime,
    engineState,
    swarmState,
    hub,
    store,
    stacks,
    auth,
    jobs,
    sampler,
    updates,
    resources,
    logHub,
    access,
    audit,
    hosts,
    close: async () => {
      audit.stop();
      updates.stop();
      sampler.close();
      feed.close();
      stopJobFeed();
      logHub.close();
      engineState.stop();
      swarmState.stop();
      await hub.closeAll();
      agents.hub?.close();
      await realtime.close();
      await http.close();
      await store.close();
      sessionStore.close();
      db.close();
    },
  };
}
