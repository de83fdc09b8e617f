import { startBerth } from '../helpers/berth.js';
import { summarize } from './stats.js';

/**
 * What a principal costs per request: GET /api/stacks by session cookie and by API token (the
 * token is looked up, hashed and its last use written on every request), and a state-changing
 * request with its audit entry (POST /api/validate).
 */
export async function benchAccess() {
  const t = await startBerth();
  try {
    const cookie =
      String(
        (await t.anon().post('/api/auth/login').send({ username: 'admin', password: 'admin-password-1' }))
          .headers['set-cookie'],
      ).split(';')[0] ?? '';
    const token = (await t.agent.post('/api/tokens').send({ name: 'bench', role: 'viewer' })).body
      .token as string;
    const time = async (init: RequestInit, path: string, n = 300) => {
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        const start = performance.now();
        const res = await fetch(t.url + path, init);
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`${path}: ${res.status}`);
        samples.push(performance.now() - start);
      }
      return summarize(samples);
    };
    const bySession = await time({ headers: { cookie } }, '/api/stacks');
    const byToken = await time({ headers: { authorization: `Bearer ${token}` } }, '/api/stacks');
    const auditedPost = await time(
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ yaml: 'services: {}\n' }),
      },
      '/api/validate',
    );
    return { name: 'access', listBySessionMs: bySession, listByTokenMs: byToken, auditedPostMs: auditedPost };
  } finally {
    await t.close();
  }
}
