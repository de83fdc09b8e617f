import { statSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { ADMIN, startBerth, type TestBerth } from '../helpers/berth.js';

/** The first user is an admin; the SPA is told the role's permissions and the (absent) scope. */
const ME = {
  username: 'me',
  role: 'admin',
  permissions: ['read', 'operate', 'exec', 'edit', 'admin'],
  stacks: null,
};

let t: TestBerth | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const PROTECTED: Array<[string, string]> = [
  ['get', '/api/stacks'],
  ['post', '/api/stacks'],
  ['get', '/api/stacks/web'],
  ['put', '/api/stacks/web'],
  ['delete', '/api/stacks/web'],
  ['post', '/api/stacks/web/up'],
  ['get', '/api/stacks/web/history'],
  ['get', '/api/stacks/web/history/20260101T000000000Z-abcdef'],
  ['post', '/api/stacks/web/history/20260101T000000000Z-abcdef/restore'],
  ['get', '/api/jobs/1b4e28ba-2fa1-11d2-883f-0016d3cca427'],
  ['post', '/api/validate'],
  ['post', '/api/convert'],
  ['post', '/api/auth/password'],
  ['get', '/api/anything-else'],
];

describe('without a session', () => {
  it.each(PROTECTED)('%s %s → 401', async (method, url) => {
    t = await startBerth({ login: false });
    const agent = t.anon() as unknown as Record<string, (u: string) => request.Test>;
    const res = await agent[method]!(url).send({});
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('health and auth status are open', async () => {
    t = await startBerth({ login: false });
    await t.anon().get('/api/health').expect(200);
    const status = await t.anon().get('/api/auth/status').expect(200);
    expect(status.body).toEqual({ setupRequired: false, user: null });
  });
});

describe('first-run setup', () => {
  it('works once, logs the new user in, and is refused afterwards', async () => {
    t = await startBerth({ login: false, config: { adminUser: undefined, adminPassword: undefined } });
    const agent = t.anon();
    expect((await agent.get('/api/auth/status').expect(200)).body).toEqual({
      setupRequired: true,
      user: null,
    });
    await agent.get('/api/stacks').expect(401);
    await agent.post('/api/auth/setup').send({ username: 'me', password: 'short' }).expect(400);
    const res = await agent
      .post('/api/auth/setup')
      .send({ username: 'me', password: 'long enough pw' })
      .expect(201);
    expect(res.body).toEqual({ user: ME });
    await agent.get('/api/stacks').expect(200);
    expect((await agent.get('/api/auth/status')).body).toEqual({
      setupRequired: false,
      user: ME,
    });
    const again = await t
      .anon()
      .post('/api/auth/setup')
      .send({ username: 'evil', password: 'long enough pw' });
    expect(again.status).toBe(403);
    await t.anon().post('/api/auth/login').send({ username: 'evil', password: 'long enough pw' }).expect(401);
  });
});

describe('login, logout and password change', () => {
  it('sets an httpOnly SameSite=Strict cookie and logout ends the session', async () => {
    t = await startBerth({ login: false });
    const agent = t.anon();
    const res = await agent.post('/api/auth/login').send(ADMIN).expect(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/berth\.sid=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    await agent.get('/api/stacks').expect(200);
    await agent.post('/api/auth/logout').expect(200);
    await agent.get('/api/stacks').expect(401);
  });

  it('rejects a wrong password with 401 and the same message as an unknown user', async () => {
    t = await startBerth({ login: false });
    const wrong = await t
      .anon()
      .post('/api/auth/login')
      .send({ ...ADMIN, password: 'nope-nope' })
      .expect(401);
    const unknown = await t
      .anon()
      .post('/api/auth/login')
      .send({ username: 'ghost', password: 'x' })
      .expect(401);
    expect(wrong.body.error.message).toBe(unknown.body.error.message);
  });

  it('changes the password only with the current one, and ends the other sessions', async () => {
    t = await startBerth();
    const other = t.anon();
    await other.post('/api/auth/login').send(ADMIN).expect(200);
    const bad = await t.agent
      .post('/api/auth/password')
      .send({ currentPassword: 'wrong-one', newPassword: 'new password 2' });
    expect(bad.status).toBe(403);
    await t.agent
      .post('/api/auth/password')
      .send({ currentPassword: ADMIN.password, newPassword: 'new password 2' })
      .expect(200);
    await t.anon().post('/api/auth/login').send(ADMIN).expect(401);
    await t
      .anon()
      .post('/api/auth/login')
      .send({ username: ADMIN.username, password: 'new password 2' })
      .expect(200);
    // The session that changed the password lives on; others are ended.
    await t.agent.get('/api/stacks').expect(200);
    await other.get('/api/stacks').expect(401);
  });

  it('keeps sessions in SQLite across a restart, with a 0600 secret', async () => {
    t = await startBerth({ keepDirs: true });
    const cookie = (await t.anon().post('/api/auth/login').send(ADMIN).expect(200)).headers['set-cookie'];
    const config = t.config;
    await t.close();
    t = await startBerth({ config, login: false });
    await request(t.berth.http.server)
      .get('/api/stacks')
      .set('Cookie', cookie ?? '')
      .expect(200);
    expect(statSync(path.join(config.dataDir, 'session-secret')).mode & 0o777).toBe(0o600);
  });
});

describe('login throttling', () => {
  it('answers repeated failures with 429 + Retry-After, without locking out the user elsewhere', async () => {
    t = await startBerth({ login: false });
    const attacker = '203.0.113.7';
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (let i = 0; i < 8; i++) {
      last = await t
        .anon()
        .post('/api/auth/login')
        .set('X-Forwarded-For', attacker)
        .send({ username: ADMIN.username, password: `guess-${i}` });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(Number(last?.headers['retry-after'])).toBeGreaterThan(0);
    expect(last?.body.error.code).toBe('THROTTLED');
    // Even the right password is refused from the throttled address...
    await t.anon().post('/api/auth/login').set('X-Forwarded-For', attacker).send(ADMIN).expect(429);
    // ...while the real user on another address logs in.
    await t.anon().post('/api/auth/login').set('X-Forwarded-For', '198.51.100.2').send(ADMIN).expect(200);
  });

  it('throttles one address that tries many user names', async () => {
    t = await startBerth({ login: false });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await t
        .anon()
        .post('/api/auth/login')
        .set('X-Forwarded-For', '203.0.113.9')
        .send({ username: `user${i}`, password: 'password' });
      statuses.push(res.status);
    }
    expect(statuses).toContain(429);
    await t.anon().post('/api/auth/login').set('X-Forwarded-For', '198.51.100.3').send(ADMIN).expect(200);
  });
});

describe('behind a reverse proxy (BERTH_TRUST_PROXY)', () => {
  const loginOver = (b: TestBerth, proto: string) =>
    b
      .anon()
      .post('/api/auth/login')
      .set('X-Forwarded-Proto', proto)
      .set('X-Forwarded-For', '198.51.100.4')
      .send(ADMIN);
  const cookieOf = (res: request.Response) =>
    String(([] as string[]).concat(res.headers['set-cookie'] ?? [])[0]);

  it('marks the session cookie Secure when a trusted proxy says the browser used https', async () => {
    t = await startBerth({ login: false, config: { trustProxy: 'loopback' } });
    expect(cookieOf(await loginOver(t, 'https').expect(200))).toMatch(/;\s*Secure/i);
  });

  it('believes no forwarded header from a peer it does not trust', async () => {
    t = await startBerth({ login: false, config: { trustProxy: '10.0.0.0/8' } });
    expect(cookieOf(await loginOver(t, 'https').expect(200))).not.toMatch(/;\s*Secure/i);
  });
});
