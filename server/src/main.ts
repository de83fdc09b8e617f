import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, prepareDirectories, type Config } from './config.js';
import { createLogger } from './logger.js';
import { warmUpComposeValidator } from './validate/compose-validator.js';
import { createBerth } from './wiring.js';
import { AgentIdentity } from './agents/agent-identity.js';
import { internalAuth } from './http/internal-principal.js';
import { packageVersion } from './http/openapi-routes.js';
import { startAgentLink, type AgentLink } from './realtime/agent-link.js';

// Works from the sources (server/src) and from the build (dist/server/src).
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = here.includes(`${path.sep}dist${path.sep}`)
  ? path.resolve(here, '../../..')
  : path.resolve(here, '../..');

function readConfig(): Config {
  try {
    const config = loadConfig(process.env, process.argv.slice(2));
    prepareDirectories(config);
    return config;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`berth: configuration error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

const config = readConfig();
const logger = createLogger(config.logLevel);
// Agent mode: no UI and no public listener; the hub's link reaches this Berth with a secret
// that exists only in this process's memory.
const agentMode = config.hubUrl !== undefined;
const internal = agentMode ? internalAuth() : undefined;
const berth = await createBerth(config, logger, {
  webRoot: agentMode ? undefined : (process.env.BERTH_WEB_ROOT ?? path.join(repoRoot, 'dist', 'public')),
  internal,
});
const { server } = berth.http;
let link: AgentLink | undefined;
let stopping = false;
const stop = (code: number): void => {
  if (stopping) return;
  stopping = true;
  link?.close();
  void berth.close().then(() => process.exit(code));
};

server.on('error', (err: NodeJS.ErrnoException) => {
  process.stderr.write(`berth: cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}\n`);
  process.exit(1);
});
if (agentMode && internal && config.hubUrl) {
  const hubUrl = config.hubUrl;
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo;
    logger.info({ hub: hubUrl, stacksDir: config.stacksDir, dataDir: config.dataDir }, 'berth agent started');
    link = startAgentLink({
      hubUrl,
      enrollToken: config.enrollToken,
      identity: new AgentIdentity(config.dataDir),
      localUrl: `http://127.0.0.1:${port}`,
      internal,
      version: packageVersion(),
      log: logger,
      onFatal: (code) => stop(code),
    });
    setImmediate(warmUpComposeValidator);
  });
} else
  server.listen(config.port, config.host, () => {
    const { port } = server.address() as AddressInfo;
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    logger.info(
      { url: `http://${host}:${port}`, port, stacksDir: config.stacksDir, dataDir: config.dataDir },
      'berth listening',
    );
    // Compiling the compose schema takes a few hundred ms: do it now, not on the first keystroke.
    setImmediate(warmUpComposeValidator);
  });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    logger.info({ signal }, 'shutting down');
    stop(0);
  });
}
