import request from 'supertest';
import type { Role } from '../../common/permissions.js';
import type { TestAgent, TestBerth } from './berth.js';

export const USER_PASSWORD = 'a user password 1';

/** Creates a user as the admin and logs them in: a same-origin agent with their session. */
export async function userAgent(
  t: TestBerth,
  username: string,
  role: Role,
  stacks: string[] | null = null,
): Promise<TestAgent> {
  await t.agent.post('/api/users').send({ username, role, password: USER_PASSWORD, stacks }).expect(201);
  const agent = t.anon();
  await agent.post('/api/auth/login').send({ username, password: USER_PASSWORD }).expect(200);
  return agent;
}

/** Creates an API token as `owner` (an agent) and returns it with its id. */
export async function makeToken(
  owner: TestAgent,
  body: { name: string; role: Role; stacks?: string[] | null; expiresAt?: string },
): Promise<{ id: string; token: string; prefix: string }> {
  const res = await owner.post('/api/tokens').send(body).expect(201);
  return res.body as { id: string; token: string; prefix: string };
}

/** Requests with `Authorization: Bearer <token>` and nothing else: no cookie, no Origin. */
export function bearer(t: TestBerth, token: string) {
  const server = t.berth.http.server;
  const auth = (r: request.Test) => r.set('Authorization', `Bearer ${token}`);
  return {
    get: (url: string) => auth(request(server).get(url)),
    post: (url: string) => auth(request(server).post(url)),
    put: (url: string) => auth(request(server).put(url)),
    patch: (url: string) => auth(request(server).patch(url)),
    delete: (url: string) => auth(request(server).delete(url)),
  };
}
