import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthResponse } from '../../common/api.js';
import { createApp, type BerthApp } from '../../server/src/app.js';
import { DockerComposeCli } from '../../server/src/compose/compose-cli.js';
import { DockerEngineClient } from '../../server/src/engine/engine-client.js';
import { HealthService } from '../../server/src/engine/health-service.js';
import { silentLogger } from '../../server/src/logger.js';
import { docker, engineGate } from '../helpers/engine.js';

const hasEngine = await engineGate();

describe.runIf(hasEngine)('GET /api/health against the real engine', () => {
  let berth: BerthApp;
  beforeAll(() => {
    const log = silentLogger();
    berth = createApp({
      logger: log,
      health: new HealthService(new DockerEngineClient(), new DockerComposeCli(), log),
    });
  });
  afterAll(() => berth.close());

  it('reports the engine and compose versions the CLI reports', async () => {
    const res = await request(berth.app).get('/api/health').expect(200);
    const body = HealthResponse.parse(res.body);
    expect(body.ok).toBe(true);
    expect(body.docker.reachable).toBe(true);
    expect(body.docker.version).toBe(await docker(['version', '--format', '{{.Server.Version}}']));
    expect(body.docker.composeVersion).toBe(
      (await docker(['compose', 'version', '--short'])).replace(/^v/, ''),
    );
  });

  it('answers unknown API routes with a JSON 404 in the contract shape', async () => {
    const res = await request(berth.app).get('/api/nope').expect(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no such API route' } });
  });
});

describe('GET /api/health with no engine', () => {
  it('still answers, with reachable false', async () => {
    const log = silentLogger();
    const berth = createApp({
      logger: log,
      health: new HealthService(
        new DockerEngineClient({ host: '127.0.0.1', port: 1 }),
        new DockerComposeCli(),
        log,
      ),
    });
    try {
      const res = await request(berth.app).get('/api/health').expect(200);
      expect(res.body.docker.reachable).toBe(false);
      expect(res.body.docker.version).toBeNull();
    } finally {
      await berth.close();
    }
  });
});
