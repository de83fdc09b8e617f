import { utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentIdentity } from '../../../server/src/agents/agent-identity.js';
import { healthy, HEARTBEAT_MAX_AGE_MS } from '../../../server/src/healthcheck.js';
import { tempDir } from '../../helpers/factories.js';

/** A port nothing listens on: a server's, closed again. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

describe('the image health check', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => cleanups.splice(0).forEach((c) => c()));

  it('a hub is healthy when /api/health answers ok, not when it answers an error', async () => {
    let status = 200;
    const server: Server = createServer((req, res) => {
      res.statusCode = req.url === '/api/health' ? status : 404;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => server.close());
    const tmp = tempDir('berth-hc-');
    cleanups.push(tmp.cleanup);
    const env = { BERTH_PORT: String((server.address() as AddressInfo).port), BERTH_DATA_DIR: tmp.dir };
    expect(await healthy(env)).toBe(true);
    status = 503;
    expect(await healthy(env)).toBe(false);
  });

  it('an agent (no port) is healthy while its heartbeat is fresh', async () => {
    const tmp = tempDir('berth-hc-');
    cleanups.push(tmp.cleanup);
    const env = { BERTH_PORT: String(await closedPort()), BERTH_DATA_DIR: tmp.dir };
    expect(await healthy(env)).toBe(false);
    new AgentIdentity(tmp.dir).heartbeat();
    expect(await healthy(env)).toBe(true);
    const file = path.join(tmp.dir, 'agent-heartbeat');
    const old = (Date.now() - HEARTBEAT_MAX_AGE_MS - 5000) / 1000;
    utimesSync(file, old, old);
    expect(await healthy(env)).toBe(false);
    writeFileSync(file, 'again\n');
    expect(await healthy(env)).toBe(true);
  });
});
