import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TerminalJoinResult } from '../../common/events.js';
import { ADMIN, startBerth, waitForJob, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate, TEST_IMAGE } from '../helpers/engine.js';
import { connect, connectOutcome, sessionCookie, type ClientSocket } from '../helpers/socket.js';

const hasEngine = await engineGate();

type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

const LOOP = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 3600\n    stop_signal: SIGKILL\n`;
const containersOf = (project: string) =>
  docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]);

describe('cross-site request forgery', () => {
  let t: TestBerth;
  const name = `csrf-${process.pid}`;
  beforeAll(async () => {
    t = await startBerth();
    await t.agent.post('/api/stacks').send({ name, yaml: LOOP }).expect(201);
  });
  afterAll(async () => {
    await docker(['compose', '-p', name, 'down'], t.config.stacksDir).catch(() => '');
    await t.close();
  });

  /** The logged-in user's cookie, sent by a page of another origin (browsers attach it). */
  const cookie = () => sessionCookie(t);

  it('refuses a cross-origin form POST and starts nothing', async () => {
    const res = await request(t.berth.http.server)
      .post(`/api/stacks/${name}/up`)
      .set('Cookie', await cookie())
      .set('Origin', 'http://evil.example:8080')
      .type('form')
      .send('x=1')
      .expect(403);
    expect(res.body.error.code).toBe('CSRF');
    expect(await containersOf(name)).toBe('');
  });

  it('refuses a body-less cross-origin POST, a same-host other-port POST and one without Origin', async () => {
    const host = new URL(t.url);
    for (const origin of ['http://evil.example:8080', `http://${host.hostname}:1`, undefined]) {
      const req = request(t.berth.http.server)
        .post(`/api/stacks/${name}/up`)
        .set('Cookie', await cookie());
      const res = await (origin ? req.set('Origin', origin) : req).expect(403);
      expect(res.body.error.code, String(origin)).toBe('CSRF');
    }
    expect(await containersOf(name)).toBe('');
  });

  it('refuses a same-origin POST whose body is not JSON', async () => {
    const res = await request(t.berth.http.server)
      .put(`/api/stacks/${name}`)
      .set('Cookie', await cookie())
      .set('Origin', t.url)
      .set('Content-Type', 'text/plain')
      .send('{"yaml":"x","etag":"y"}')
      .expect(403);
    expect(res.body.error.code).toBe('CSRF');
  });

  it.runIf(hasEngine)('lets a same-origin JSON POST through', async () => {
    const res = await request(t.berth.http.server)
      .post(`/api/stacks/${name}/up`)
      .set('Cookie', await cookie())
      .set('Origin', t.url)
      .expect(202);
    expect((await waitForJob(t.agent, res.body.jobId)).state).toBe('succeeded');
    expect(await containersOf(name)).not.toBe('');
  });

  it('judges a request with an Authorization header by that header alone, never by its cookie', async () => {
    const res = await request(t.berth.http.server)
      .post(`/api/stacks/${name}/stop`)
      .set('Cookie', await cookie())
      .set('Authorization', 'Bearer nothing')
      .expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });
});

describe('the socket handshake follows the same origin rule', () => {
  let trusted: TestBerth;
  let untrusted: TestBerth;
  beforeAll(async () => {
    trusted = await startBerth();
    untrusted = await startBerth({ config: { trustProxy: false } });
  });
  afterAll(async () => {
    await trusted.close();
    await untrusted.close();
  });

  const outcome = async (t: TestBerth, headers: Record<string, string>) => {
    const s = connect(t.url, { Cookie: await sessionCookie(t), ...headers });
    const r = await connectOutcome(s);
    s.disconnect();
    return r;
  };

  it('refuses a foreign origin, a missing one, and a forwarded host from a peer that is no trusted proxy', async () => {
    expect(await outcome(untrusted, {})).toBe('connected');
    expect(await outcome(untrusted, { origin: 'http://evil.example' })).not.toBe('connected');
    expect(await outcome(untrusted, { origin: '' })).not.toBe('connected');
    const forged = { origin: 'https://evil.example', 'X-Forwarded-Host': 'evil.example' };
    expect(await outcome(untrusted, forged)).not.toBe('connected');
    // From a trusted proxy (loopback by default) the forwarded host is what the browser saw.
    expect(await outcome(trusted, forged)).toBe('connected');
  });
});

describe('sockets end with their session', () => {
  let t: TestBerth;
  beforeAll(async () => {
    t = await startBerth();
  });
  afterAll(() => t.close());

  const connected = async (cookie: string): Promise<ClientSocket> => {
    const s = connect(t.url, { Cookie: cookie });
    expect(await connectOutcome(s)).toBe('connected');
    return s;
  };

  it('disconnects a socket within a second of its logout, and only that session', async () => {
    const a = await sessionCookie(t);
    const b = await sessionCookie(t);
    const sa = await connected(a);
    const sb = await connected(b);
    await request(t.berth.http.server)
      .post('/api/auth/logout')
      .set('Cookie', a)
      .set('Origin', t.url)
      .expect(200);
    await expect.poll(() => sa.connected, { timeout: 1000, interval: 20 }).toBe(false);
    expect(sb.connected).toBe(true);
    // The ended session cannot come back.
    const again = connect(t.url, { Cookie: a });
    expect(await connectOutcome(again)).toBe('UNAUTHENTICATED');
    sb.disconnect();
  });

  it("disconnects the user's other sessions' sockets on a password change", async () => {
    const keep = await sessionCookie(t);
    const other = await sessionCookie(t);
    const sKeep = await connected(keep);
    const sOther = await connected(other);
    const newPassword = 'another-password-2';
    await request(t.berth.http.server)
      .post('/api/auth/password')
      .set('Cookie', keep)
      .set('Origin', t.url)
      .send({ currentPassword: ADMIN.password, newPassword })
      .expect(200);
    await expect.poll(() => sOther.connected, { timeout: 1000, interval: 20 }).toBe(false);
    expect(sKeep.connected).toBe(true);
    sKeep.disconnect();
    // Put the password back for the other tests of this file.
    await request(t.berth.http.server)
      .post('/api/auth/password')
      .set('Cookie', keep)
      .set('Origin', t.url)
      .send({ currentPassword: newPassword, newPassword: ADMIN.password })
      .expect(200);
  });
});

describe.runIf(hasEngine)('exec terminals belong to the session that opened them', () => {
  let t: TestBerth;
  const name = `own-${process.pid}`;
  beforeAll(async () => {
    t = await startBerth();
    await t.agent.post('/api/stacks').send({ name, yaml: LOOP }).expect(201);
    const up = await t.agent.post(`/api/stacks/${name}/up`).expect(202);
    expect((await waitForJob(t.agent, up.body.jobId)).state).toBe('succeeded');
  });
  afterAll(async () => {
    await docker(['compose', '-p', name, 'down'], t.config.stacksDir).catch(() => '');
    await t.close();
  });

  it('refuses another session joining, typing into or resizing a shell', async () => {
    const [ownerCookie, intruderCookie] = [await sessionCookie(t), await sessionCookie(t)];
    const owner = connect(t.url, { Cookie: ownerCookie });
    const intruder = connect(t.url, { Cookie: intruderCookie });
    expect(await connectOutcome(owner)).toBe('connected');
    expect(await connectOutcome(intruder)).toBe('connected');
    await expect
      .poll(async () => ((await t.agent.get(`/api/stacks/${name}`)).body as { status: string }).status, {
        timeout: 10_000,
      })
      .toBe('running');
    const opened = (await owner.emitWithAck('exec:open', { stack: name, service: 'app' })) as Ack<{
      id: string;
    }>;
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const id = opened.data.id;
    const joined = (await owner.emitWithAck('terminal:join', { id })) as Ack<TerminalJoinResult>;
    expect(joined.ok).toBe(true);

    const theirs = (await intruder.emitWithAck('terminal:join', { id })) as Ack<TerminalJoinResult>;
    expect(theirs).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const typed = (await intruder.emitWithAck('terminal:input', { id, data: 'echo pwned\r' })) as Ack<null>;
    expect(typed).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const resized = (await intruder.emitWithAck('terminal:resize', { id, cols: 10, rows: 5 })) as Ack<null>;
    expect(resized).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Its owner still types into it.
    const mine = (await owner.emitWithAck('terminal:input', { id, data: 'exit\r' })) as Ack<null>;
    expect(mine).toEqual({ ok: true, data: null });
    owner.disconnect();
    intruder.disconnect();
  });
});

describe.runIf(hasEngine)("Berth's own environment does not reach stacks", () => {
  let t: TestBerth;
  const name = `env-${process.pid}`;
  const saved = { X: process.env.X, BERTH_ADMIN_PASSWORD: process.env.BERTH_ADMIN_PASSWORD };
  beforeAll(async () => {
    // Berth runs in this process: these are Berth's environment.
    process.env.X = 'from-berth';
    process.env.BERTH_ADMIN_PASSWORD = 'leaked-admin-password';
    t = await startBerth();
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await docker(['compose', '-p', name, 'down'], t.config.stacksDir).catch(() => '');
    await t.close();
  });

  it("lets the stack's .env win and interpolates ${BERTH_ADMIN_PASSWORD} to nothing", async () => {
    const yaml =
      `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 3600\n    stop_signal: SIGKILL\n` +
      '    environment:\n      X: ${X}\n      LEAK: "[${BERTH_ADMIN_PASSWORD}]"\n';
    await t.agent.post('/api/stacks').send({ name, yaml, env: 'X=from-dotenv\n' }).expect(201);
    const up = await t.agent.post(`/api/stacks/${name}/up`).expect(202);
    const job = await waitForJob(t.agent, up.body.jobId);
    expect(job.state, job.output).toBe('succeeded');
    const env = JSON.parse(
      await docker(['inspect', '--format', '{{json .Config.Env}}', `${name}-app-1`]),
    ) as string[];
    expect(env).toContain('X=from-dotenv');
    expect(env).toContain('LEAK=[]');
    expect(env.join('\n')).not.toContain('leaked-admin-password');
  });
});

describe('smaller holes', () => {
  let t: TestBerth;
  beforeAll(async () => {
    t = await startBerth();
  });
  afterAll(() => t.close());

  it('tells strangers only whether Berth is up; versions need a session', async () => {
    const anon = await t.anon().get('/api/health').expect(200);
    expect(anon.body).toEqual({ ok: expect.any(Boolean) });
    const full = await t.agent.get('/api/health').expect(200);
    expect(full.body.docker).toHaveProperty('version');
  });

  it("answers a corrupt history file (Berth's own data) with a 500 that leaks no internals", async () => {
    const name = `hist-${process.pid}`;
    await t.agent.post('/api/stacks').send({ name, yaml: 'services: {}\n' }).expect(201);
    const { etag } = (await t.agent.get(`/api/stacks/${name}`).expect(200)).body as { etag: string };
    await t.agent
      .put(`/api/stacks/${name}`)
      .send({ yaml: 'services:\n  a:\n    image: x\n', etag })
      .expect(200);
    const dir = path.join(t.config.dataDir, 'history', name);
    const file = readdirSync(dir)[0] ?? '';
    writeFileSync(path.join(dir, file), JSON.stringify({ savedAt: 1, yaml: ['not text'] }));
    const res = await t.agent.get(`/api/stacks/${name}/history/${file.slice(0, -5)}`).expect(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
  });

  it('restoring a version that had no .env removes .env (kept in history), not an empty one', async () => {
    const name = `noenv-${process.pid}`;
    await t.agent.post('/api/stacks').send({ name, yaml: 'services: {}\n' }).expect(201);
    const first = (await t.agent.get(`/api/stacks/${name}`).expect(200)).body as { etag: string };
    await t.agent.put(`/api/stacks/${name}`).send({ yaml: 'services: {}\n', env: 'A=1\n', etag: first.etag });
    const versions = (await t.agent.get(`/api/stacks/${name}/history`).expect(200)).body as Array<{
      id: string;
    }>;
    const noEnv = versions[0]?.id ?? '';
    await t.agent.post(`/api/stacks/${name}/history/${noEnv}/restore`).expect(200);
    expect(existsSync(path.join(t.config.stacksDir, name, '.env'))).toBe(false);
    const detail = (await t.agent.get(`/api/stacks/${name}`).expect(200)).body as { env: string | null };
    expect(detail.env).toBeNull();
    // The replaced .env is in history.
    const after = (await t.agent.get(`/api/stacks/${name}/history`).expect(200)).body as Array<{
      id: string;
    }>;
    const newest = (await t.agent.get(`/api/stacks/${name}/history/${after[0]?.id}`).expect(200)).body;
    expect(newest.env).toBe('A=1\n');
  });

  it('logs a stack folder it cannot read instead of dropping it silently', async () => {
    const dir = path.join(t.config.stacksDir, `unreadable-${process.pid}`);
    mkdirSync(dir);
    // A compose file linked out of the stacks dir is refused, and said so.
    symlinkSync('/etc/hostname', path.join(dir, 'compose.yaml'));
    const lines: string[] = [];
    const { createBerth } = await import('../../server/src/wiring.js');
    const pino = (await import('pino')).default;
    const logger = pino({ level: 'warn' }, { write: (l: string) => void lines.push(l) });
    const other = await createBerth({ ...t.config }, logger);
    await other.close();
    expect(lines.join('\n')).toContain(`unreadable-${process.pid}`);
    expect(lines.join('\n')).toContain('not listed');
  });
});
