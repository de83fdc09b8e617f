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
import { StackChecker } from './stacks/stack-check.js';
import { StackExtraFiles } from './stacks/stack-files.js';
import { childEnvironment, DockerComposeOracle } from './compose/compose-oracle.js';
import { validateCompose } from './validate/compose-validator.js';

export interface Berth {
  http: BerthApp;
  realtime: Realtime;
  engineState: EngineState;
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
  webRoot?: string;
}

/** The composition root: real adapters for a config. main.ts and integration tests use it. */
export async function createBerth(
  config: Config,
  logger: Logger,
  overrides: BerthOverrides = {},
): Promise<Berth> {
  const compose = overrides.compose ?? new DockerComposeCli();
  const engine = overrides.engine ?? new DockerEngineClient();
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

  const paths = new StackPaths(config.stacksDir);
  const checker = new StackChecker(new DockerComposeOracle(), childEnvironment());
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
  });
  const engineState = new EngineState(engine, logger.child({ module: 'engine' }));
  await engineState.start();
  const stacks = new StackService(store, engineState, runner, logger.child({ module: 'stacks' }), checker);
  stacksRef.current = stacks;
  const exec = new ExecSessions({
    hub,
    runtime: {
      runtimeOf: (stack) => engineState.runtimeOf(stacks.projectOf(stack)),
      projects: () => engineState.projects(),
    },
    log: logger.child({ module: 'exec' }),
    cwd: scratchDir,
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
    files: new StackExtraFiles(store, paths, checker),
    webRoot: overrides.webRoot,
    trustProxy: config.trustProxy,
  });

  const realtime = createRealtime({
    server: http.server,
    sessionMiddleware: http.sessionMiddleware,
    stacks,
    log: logger,
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
  engineState.onChange((projects) => feed.touch(stacks.namesOfProjects(projects)));

  return {
    http,
    realtime,
    engineState,
    hub,
    store,
    stacks,
    auth,
    jobs,
    close: async () => {
      feed.close();
      engineState.stop();
      await hub.closeAll();
      await realtime.close();
      await http.close();
      await store.close();
      sessionStore.close();
      db.close();
    },
  };
}
