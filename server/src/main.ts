import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, prepareDirectories, type Config } from './config.js';
import { createLogger } from './logger.js';
import { warmUpComposeValidator } from './validate/compose-validator.js';
import { createBerth } from './wiring.js';

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
const berth = await createBerth(config, logger, {
  webRoot: process.env.BERTH_WEB_ROOT ?? path.join(repoRoot, 'dist', 'public'),
});
const { server } = berth.http;

server.on('error', (err: NodeJS.ErrnoException) => {
  process.stderr.write(`berth: cannot listen on ${config.host}:${config.port}: ${err.code ?? err.message}\n`);
  process.exit(1);
});
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

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    void berth.close().then(() => process.exit(0));
  });
}
