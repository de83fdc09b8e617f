import type { AddressInfo } from 'node:net';
import path from 'node:path';
import request from 'supertest';
import type { Config } from '../../server/src/config.js';
import { prepareDirectories } from '../../server/src/config.js';
import { silentLogger } from '../../server/src/logger.js';
import { createBerth, type Berth, type BerthOverrides } from '../../server/src/wiring.js';
import { tempDir, testConfig } from './factories.js';

export type TestAgent = ReturnType<typeof request.agent>;

export const ADMIN = { username: 'admin', password: 'admin-password-1' };

export interface TestBerth {
  berth: Berth;
  config: Config;
  /** Not logged in; sends Berth's own Origin, as a browser on its pages would. */
  anon: () => TestAgent;
  /** Logged in as ADMIN. */
  agent: TestAgent;
  url: string;
  close(): Promise<void>;
}

/**
 * A real Berth (real files, real SQLite, real engine adapters) in temp folders, listening on
 * port 0, with an admin logged in through the API.
 */
export async function startBerth(
  options: { config?: Partial<Config>; overrides?: BerthOverrides; login?: boolean; keepDirs?: boolean } = {},
): Promise<TestBerth> {
  const tmp = tempDir('berth-it-');
  const config = testConfig({
    stacksDir: path.join(tmp.dir, 'stacks'),
    dataDir: path.join(tmp.dir, 'data'),
    adminUser: ADMIN.username,
    adminPassword: ADMIN.password,
    ...options.config,
  });
  prepareDirectories(config);
  const berth = await createBerth(config, silentLogger(), options.overrides);
  await new Promise<void>((resolve) => berth.http.server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(berth.http.server.address() as AddressInfo).port}`;
  // Browsers send Origin with every state-changing request; Berth refuses cookie requests without it.
  const sameOrigin = () => request.agent(berth.http.server).set('Origin', url);
  const agent = sameOrigin();
  if (options.login !== false) {
    await agent.post('/api/auth/login').send(ADMIN).expect(200);
  }
  return {
    berth,
    config,
    anon: sameOrigin,
    agent,
    url,
    close: async () => {
      await berth.close();
      if (!options.keepDirs) tmp.cleanup();
    },
  };
}

/** Polls a job until it is no longer running. */
export async function waitForJob(
  agent: TestAgent,
  jobId: string,
  timeoutMs = 60_000,
): Promise<{ state: string; exitCode: number | null; output: string }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await agent.get(`/api/jobs/${jobId}`).expect(200);
    if (res.body.state !== 'running') return res.body;
    if (Date.now() > until) throw new Error(`job ${jobId} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
