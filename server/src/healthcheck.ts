// The container image's health check: a hub (or a lone Berth) answers GET /api/health on its port;
// an agent opens no port, so it is healthy while its hub link is (the heartbeat it touches on
// connect and on each of the hub's pings, every 5 s). Exit 0 healthy, 1 not.
import { statSync } from 'node:fs';
import path from 'node:path';
import { AGENT_HEARTBEAT_FILE } from './agents/agent-identity.js';

/** How old the heartbeat may be: several missed pings, not one slow one. */
export const HEARTBEAT_MAX_AGE_MS = 60_000;

export async function healthy(env: NodeJS.ProcessEnv, now = Date.now()): Promise<boolean> {
  const port = env.BERTH_PORT ?? '5001';
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(4000) });
    if (res.ok) return true;
  } catch {
    // no listener: an agent, or a Berth that is down
  }
  try {
    const beat = statSync(path.join(env.BERTH_DATA_DIR ?? '/app/data', AGENT_HEARTBEAT_FILE));
    return now - beat.mtimeMs <= HEARTBEAT_MAX_AGE_MS;
  } catch {
    return false;
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  void healthy(process.env).then((ok) => process.exit(ok ? 0 : 1));
}
