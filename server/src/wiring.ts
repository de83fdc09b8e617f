import path from 'node:path';
import { createApp, type BerthApp } from './app.js';
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
import { createRealtime, type Realtime } from './realtime/realtime-server.js';
import { roomSink, terminalHandlers } from './realtime/terminal-handlers.js';
import { ExecSessions } from './terminals/exec-sessions.js';
import { HubActionTerminal } from './terminals/hub-action-terminal.js';
import { TerminalHub } from './terminals/terminal-hub.js';
import type { Logger } from './logger.js';
import { StackHistory } from './stacks/stack-history.js';
import { StackPaths } from './stacks/stack-paths.js';
import { StackFeed } from './stacks/stack-feed.js';
import { StackService } from './stacks/stack-service.js';
import { StackStore } from './stacks/stack-store.js';
import { validateCompose } from './validate/compose-validator.js';
import { ComposeConfigRenderer } from './swarm/render.js';
import { DockerSwarmEngine, dockerOptionsFor, type SwarmEngine } from './swarm/swarm-engine.js';
import { SwarmService } from './swarm/swarm-service.js';
import { SwarmState } from './swarm/swarm-state.js';

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
  close(): Promise<void>;
}

export interface BerthOverrides {
  engine?: EngineClient;
  compose?: ComposeCli;
  swarmEngine?: SwarmEngine;
  webRoot?: string;
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
  const auth = new AuthService({
    users: new UserStore(db),
    throttle: new LoginThrottle(),
    log: logger.child({ module: 'auth' }),
  });
  if (config.adminUser && config.adminPassword) {
    await auth.ensureAdmin(config.adminUser, config.adminPassword);
  }
  const sessionStore = new SqliteSessionStore(db, { log: logger.child({ module: 'sessions' }) });

  const store = new StackStore(
    new StackPaths(config.stacksDir),
    new StackHistory(path.join(config.dataDir, 'history')),
    validateCompose,
    logger.child({ module: 'stacks' }),
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
  const runner = new ComposeRunner({
    compose,
    terminal: new HubActionTerminal(hub),
    jobs,
    log: logger.child({ module: 'compose' }),
    scratchDir,
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
    validateCompose,
    logger.child({ module: 'stacks' }),
    swarm,
  );
  const exec = new ExecSessions({
    hub,
    runtime: engineState,
    log: logger.child({ module: 'exec' }),
    cwd: scratchDir,
    dockerHost: config.dockerHost,
  });

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
    validate: validateCompose,
    swarm,
    webRoot: overrides.webRoot,
    trustProxy: config.trustProxy,
  });

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
    register: terminalHandlers(hub, exec, logger.child({ module: 'realtime' }), async (id) => {
      const stack = /^stack:(.+)$/.exec(id)?.[1];
      if (stack && !hub.has(id) && (await store.exists(stack))) hub.note(id, '');
    }),
  });
  ref.realtime = realtime;
  const feed = new StackFeed(
    (name) => stacks.summaryByName(name),
    (m) => realtime.publish(m),
    logger.child({ module: 'feed' }),
  );
  feed.seed(stacks.list());
  store.onChange((e) => feed.touch([e.type === 'changed' ? e.info.name : e.name]));
  engineState.onChange((projects) => feed.touch(projects));
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
    close: async () => {
      feed.close();
      engineState.stop();
      swarmState.stop();
      await hub.closeAll();
      await realtime.close();
      await http.close();
      await store.close();
      sessionStore.close();
      db.close();
    },
  };
}
