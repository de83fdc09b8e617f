import { describe, expect, it } from 'vitest';
import type { ComposeCli } from '../../server/src/compose/compose-cli.js';
import { DockerComposeCli } from '../../server/src/compose/compose-cli.js';
import { DockerEngineClient } from '../../server/src/engine/engine-client.js';
import { HealthService } from '../../server/src/engine/health-service.js';
import { silentLogger } from '../../server/src/logger.js';
import { FakeEngine } from '../helpers/fake-engine.js';

const compose = (v: string | null): ComposeCli => ({ version: () => Promise.resolve(v) });

describe('HealthService', () => {
  it('reports a reachable engine with its version', async () => {
    const h = new HealthService(new FakeEngine(), compose('2.29.0'), silentLogger());
    expect(await h.check()).toEqual({
      ok: true,
      docker: { reachable: true, version: '99.0.0-fake', composeVersion: '2.29.0' },
    });
  });

  it('reports an engine that fails as unreachable instead of throwing', async () => {
    const engine = new FakeEngine();
    engine.stop();
    const h = new HealthService(engine, compose(null), silentLogger());
    expect(await h.check()).toEqual({
      ok: true,
      docker: { reachable: false, version: null, composeVersion: null },
    });
  });

  it('with the real dockerode client, a socket that does not exist means unreachable', async () => {
    const engine = new DockerEngineClient({ socketPath: '/nonexistent/docker.sock' });
    const h = new HealthService(engine, compose(null), silentLogger());
    expect((await h.check()).docker.reachable).toBe(false);
  });
});

describe('DockerComposeCli', () => {
  it('answers null when the docker binary is missing', async () => {
    expect(await new DockerComposeCli('/nonexistent/docker').version()).toBeNull();
  });

  it('answers null when the binary is not a compose-capable docker', async () => {
    // `false` exits 1 for any argv, like a docker CLI without the compose plugin.
    expect(await new DockerComposeCli('false').version()).toBeNull();
  });
});
