import { startBerth } from '../helpers/berth.js';
import { summarize } from './stats.js';

/** Latency of GET /api/health (one Engine API call; the compose version is cached). */
export async function benchHealth() {
  const t = await startBerth({ login: false });
  const url = `${t.url}/api/health`;
  try {
    const first = performance.now();
    const body = (await (await fetch(url)).json()) as { docker: { reachable: boolean } };
    const coldMs = performance.now() - first;
    const samples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const start = performance.now();
      await (await fetch(url)).arrayBuffer();
      samples.push(performance.now() - start);
    }
    return {
      name: 'health',
      engineReachable: body.docker.reachable,
      coldMs: Number(coldMs.toFixed(2)),
      latencyMs: summarize(samples),
    };
  } finally {
    await t.close();
  }
}
