import type { AddressInfo } from 'node:net';
import { createApp } from '../../server/src/app.js';
import { DockerComposeCli } from '../../server/src/compose/compose-cli.js';
import { DockerEngineClient } from '../../server/src/engine/engine-client.js';
import { HealthService } from '../../server/src/engine/health-service.js';
import { silentLogger } from '../../server/src/logger.js';
import { summarize } from './stats.js';

/** Latency of GET /api/health (one Engine API call; the compose version is cached). */
export async function benchHealth() {
  const log = silentLogger();
  const berth = createApp({
    logger: log,
    health: new HealthService(new DockerEngineClient(), new DockerComposeCli(), log),
  });
  await new Promise<void>((resolve) => berth.server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(berth.server.address() as AddressInfo).port}/api/health`;
  const first = performance.now();
  const body = (await (await fetch(url)).json()) as { docker: { reachable: boolean } };
  const coldMs = performance.now() - first;
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    await (await fetch(url)).arrayBuffer();
    samples.push(performance.now() - t);
  }
  await berth.close();
  return {
    name: 'health',
    engineReachable: body.docker.reachable,
    coldMs: Number(coldMs.toFixed(2)),
    latencyMs: summarize(samples),
  };
}
