import { afterEach, describe, expect, it } from 'vitest';
import { HealthResponse } from '../../common/api.js';
import { DockerEngineClient } from '../../server/src/engine/engine-client.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate } from '../helpers/engine.js';

const hasEngine = await engineGate();

let t: TestBerth | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe.runIf(hasEngine)('GET /api/health against the real engine', () => {
  it('reports the engine and compose versions the CLI reports, to a session only', async () => {
    t = await startBerth();
    expect((await t.anon().get('/api/health').expect(200)).body).toEqual({ ok: true });
    const res = await t.agent.get('/api/health').expect(200);
    const body = HealthResponse.parse(res.body);
    expect(body.ok).toBe(true);
    expect(body.docker.reachable).toBe(true);
    expect(body.docker.version).toBe(await docker(['version', '--format', '{{.Server.Version}}']));
    expect(body.docker.composeVersion).toBe(
      (await docker(['compose', 'version', '--short'])).replace(/^v/, ''),
    );
  });

  it('answers unknown API routes with a JSON 404 in the contract shape', async () => {
    t = await startBerth();
    const res = await t.agent.get('/api/nope').expect(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'no such API route' } });
  });
});

describe('GET /api/health with no engine', () => {
  it('still starts and answers, with reachable false', async () => {
    t = await startBerth({ overrides: { engine: new DockerEngineClient({ host: '127.0.0.1', port: 1 }) } });
    const res = await t.agent.get('/api/health').expect(200);
    expect(res.body.docker).toMatchObject({ reachable: false, version: null });
    const list = await t.agent.get('/api/stacks').expect(200);
    expect(list.body).toEqual([]);
  });
});
