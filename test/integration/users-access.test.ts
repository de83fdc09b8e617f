import { readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, waitForJob, type TestAgent, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate, TEST_IMAGE } from '../helpers/engine.js';
import { connect, connectOutcome, StackWatch, type ClientSocket } from '../helpers/socket.js';
import { bearer, makeToken, USER_PASSWORD, userAgent } from '../helpers/users.js';

const hasEngine = await engineGate();

type Ack<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };
const P = `usr-${process.pid}`;
const A = `${P}-a`;
const B = `${P}-b`;
const LOOP = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 3600\n    stop_signal: SIGKILL\n`;
const ENV = '# secrets\nDB_PASSWORD=hunter2-secret\nAPI_KEY=xyz-secret-42\n';

/** The session cookie an agent holds, for a socket. */
async function cookieOf(t: TestBerth, username: string): Promise<string> {
  const res = await t.anon().post('/api/auth/login').send({ username, password: USER_PASSWORD }).expect(200);
  const set = res.headers['set-cookie'];
  return String(Array.isArray(set) ? set[0] : set).split(';')[0] ?? '';
}

async function connected(t: TestBerth, headers: Record<string, string>): Promise<ClientSocket> {
  const s = connect(t.url, headers);
  expect(await connectOutcome(s)).toBe('connected');
  return s;
}

function filesUnder(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) filesUnder(full, out);
    else out.push(full);
  }
  return out;
}

describe.runIf(hasEngine)('users, roles, tokens and the audit log on a real Berth', () => {
  let t: TestBerth;
  let viewer: TestAgent;
  let operator: TestAgent;
  let editor: TestAgent;
  let scoped: TestAgent;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    t = await startBerth();
    await t.agent.post('/api/stacks').send({ name: A, yaml: LOOP, env: ENV }).expect(201);
    await t.agent.post('/api/stacks').send({ name: B, yaml: LOOP }).expect(201);
    viewer = await userAgent(t, `${P}-viewer`, 'viewer');
    operator = await userAgent(t, `${P}-operator`, 'operator');
    editor = await userAgent(t, `${P}-editor`, 'editor');
    scoped = await userAgent(t, `${P}-scoped`, 'operator', [A]);
  }, 60_000);
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const n of [A, B]) await docker(['compose', '-p', n, 'down'], t.config.stacksDir).catch(() => '');
    await t?.close();
  });

  it('shows a viewer the .env with masked values (history too), an editor the values', async () => {
    const seen = (await viewer.get(`/api/stacks/${A}`).expect(200)).body.env as string;
    expect(seen).toBe('# secrets\nDB_PASSWORD=••••••\nAPI_KEY=••••••\n');
    expect((await operator.get(`/api/stacks/${A}`).expect(200)).body.env).not.toContain('hunter2');
    expect((await editor.get(`/api/stacks/${A}`).expect(200)).body.env).toBe(ENV);
    // A save by the editor puts the old version (with its .env) into history.
    const cur = await editor.get(`/api/stacks/${A}`).expect(200);
    await editor
      .put(`/api/stacks/${A}`)
      .send({ yaml: `${LOOP}# v2\n`, etag: cur.body.etag })
      .expect(200);
    const [entry] = (await viewer.get(`/api/stacks/${A}/history`).expect(200)).body as Array<{ id: string }>;
    const old = await viewer.get(`/api/stacks/${A}/history/${entry?.id}`).expect(200);
    expect(old.body.env).toBe('# secrets\nDB_PASSWORD=••••••\nAPI_KEY=••••••\n');
    expect((await editor.get(`/api/stacks/${A}/history/${entry?.id}`).expect(200)).body.env).toBe(ENV);
  });

  it('lets an operator deploy and open a shell, never save', async () => {
    const cur = await operator.get(`/api/stacks/${A}`).expect(200);
    const refused = await operator
      .put(`/api/stacks/${A}`)
      .send({ yaml: 'services: {}\n', etag: cur.body.etag });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(readFileSync(path.join(t.config.stacksDir, A, 'compose.yaml'), 'utf8')).toContain('sleep 3600');

    const up = await operator.post(`/api/stacks/${A}/up`).expect(202);
    expect((await waitForJob(operator, up.body.jobId)).state).toBe('succeeded');
    await expect
      .poll(async () => (await operator.get(`/api/stacks/${A}`)).body.status, { timeout: 15_000 })
      .toBe('running');
    const s = await connected(t, { Cookie: await cookieOf(t, `${P}-operator`) });
    sockets.push(s);
    const opened = (await s.emitWithAck('exec:open', { stack: A, service: 'app', shell: 'sh' })) as Ack<{
      id: string;
    }>;
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    let out = '';
    s.on('terminal:output', (m) => (out += m.id === opened.data.id ? m.data : ''));
    const joined = (await s.emitWithAck('terminal:join', { id: opened.data.id })) as Ack<{ buffer: string }>;
    expect(joined.ok).toBe(true);
    s.emit('terminal:input', { id: opened.data.id, data: 'echo op-$((6*7))\n' });
    await expect.poll(() => out, { timeout: 10_000 }).toContain('op-42');

    // A viewer may watch the stack but gets no shell.
    const vs = await connected(t, { Cookie: await cookieOf(t, `${P}-viewer`) });
    sockets.push(vs);
    const no = (await vs.emitWithAck('exec:open', { stack: A, service: 'app' })) as Ack<unknown>;
    expect(no).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });

  it('hides stack b from a user limited to stack a: list, reads, actions, socket pushes, terminals, shells', async () => {
    const list = (await scoped.get('/api/stacks').expect(200)).body as Array<{ name: string }>;
    expect(list.map((s) => s.name)).toContain(A);
    expect(list.map((s) => s.name)).not.toContain(B);
    for (const res of [
      await scoped.get(`/api/stacks/${B}`),
      await scoped.get(`/api/stacks/${B}/history`),
      await scoped.post(`/api/stacks/${B}/up`),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('STACK_NOT_FOUND');
    }
    // Global changes (no stack named) are refused to a scoped principal.
    expect((await scoped.post('/api/stacks').send({ name: `${P}-c`, yaml: LOOP })).status).toBe(403);

    // Watching from before the connection, so the list sent on connect is seen.
    const s = connect(t.url, { Cookie: await cookieOf(t, `${P}-scoped`) });
    const watch = new StackWatch(s);
    const all = new StackWatch(connect(t.url, { Cookie: await cookieOf(t, `${P}-editor`) }));
    sockets.push(s, all.socket);
    await expect.poll(() => s.connected && all.socket.connected).toBe(true);
    await expect.poll(() => watch.listed && all.listed).toBe(true);
    expect([...watch.stacks.keys()]).toContain(A);
    expect([...watch.stacks.keys()]).not.toContain(B);
    // Both stacks change on disk; the editor hears of both, the scoped user only of a.
    for (const n of [B, A]) {
      const file = path.join(t.config.stacksDir, n, 'compose.yaml');
      writeFileSync(file, `${readFileSync(file, 'utf8')}# touched\n`);
      const later = new Date(Date.now() + 5000);
      utimesSync(file, later, later);
    }
    await expect
      .poll(() => all.messages.filter((m) => m.name === B).length, { timeout: 5000 })
      .toBeGreaterThan(0);
    await expect
      .poll(() => watch.messages.filter((m) => m.name === A).length, { timeout: 5000 })
      .toBeGreaterThan(0);
    expect(watch.messages.filter((m) => m.name === B)).toEqual([]);

    const join = (await s.emitWithAck('terminal:join', { id: `stack:${B}` })) as Ack<unknown>;
    expect(join).toMatchObject({ ok: false, error: { code: 'STACK_NOT_FOUND' } });
    const shell = (await s.emitWithAck('exec:open', { stack: B, service: 'app' })) as Ack<unknown>;
    expect(shell).toMatchObject({ ok: false, error: { code: 'STACK_NOT_FOUND' } });
    expect(((await s.emitWithAck('terminal:join', { id: `stack:${A}` })) as Ack<unknown>).ok).toBe(true);
  });

  it("disconnects a disabled user's socket within a second; their cookie is refused at once", async () => {
    const name = `${P}-gone`;
    const agent = await userAgent(t, name, 'viewer');
    const s = await connected(t, { Cookie: await cookieOf(t, name) });
    sockets.push(s);
    await t.agent.patch(`/api/users/${name}`).send({ disabled: true }).expect(200);
    await expect.poll(() => s.connected, { timeout: 1000, interval: 20 }).toBe(false);
    expect((await agent.get('/api/stacks')).status).toBe(401);
    const login = await t.anon().post('/api/auth/login').send({ username: name, password: USER_PASSWORD });
    expect(login.status).toBe(401);
  });

  it("changes a connected user's role at once: a viewer made operator may open a shell", async () => {
    const name = `${P}-promoted`;
    await userAgent(t, name, 'viewer');
    const s = await connected(t, { Cookie: await cookieOf(t, name) });
    sockets.push(s);
    const before = (await s.emitWithAck('exec:open', {
      stack: A,
      service: 'app',
      shell: 'sh',
    })) as Ack<unknown>;
    expect(before).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    await t.agent.patch(`/api/users/${name}`).send({ role: 'operator' }).expect(200);
    const after = (await s.emitWithAck('exec:open', {
      stack: A,
      service: 'app',
      shell: 'sh',
    })) as Ack<unknown>;
    expect(after.ok).toBe(true);
    expect(s.connected).toBe(true);
  });

  it('API tokens: bearer on HTTP and the socket handshake; revoked is 401 at once and its socket ends', async () => {
    const { token, id, prefix } = await makeToken(operator, { name: 'ci', role: 'operator' });
    expect(token.startsWith(`${prefix}_`)).toBe(true);
    const api = bearer(t, token);
    expect((await api.get('/api/stacks').expect(200)).body.length).toBeGreaterThan(0);
    // No Origin, no cookie: a script's socket.
    const s = connect(t.url, { origin: '', Authorization: `Bearer ${token}` });
    expect(await connectOutcome(s)).toBe('connected');
    sockets.push(s);
    const bad = connect(t.url, { origin: '', Authorization: `Bearer ${token.slice(0, -2)}xx` });
    expect(await connectOutcome(bad)).toBe('UNAUTHENTICATED');

    const listed = (await operator.get('/api/tokens').expect(200)).body as Array<{
      id: string;
      lastUsedAt: string;
    }>;
    expect(listed.find((x) => x.id === id)?.lastUsedAt).not.toBeNull();
    await operator.delete(`/api/tokens/${id}`).expect(200);
    const after = await api.post(`/api/stacks/${A}/restart`);
    expect(after.status).toBe(401);
    await expect.poll(() => s.connected, { timeout: 1000, interval: 20 }).toBe(false);
    // No role above one's own.
    expect((await operator.post('/api/tokens').send({ name: 'x', role: 'admin' })).status).toBe(403);
  });

  it('keeps no token in any file of the data dir (WAL included): only its hash', async () => {
    const { token, prefix } = await makeToken(editor, { name: 'disk', role: 'viewer' });
    await bearer(t, token).get('/api/stacks').expect(200);
    const secret = token.slice(prefix.length + 1);
    expect(secret.length).toBe(43);
    const files = filesUnder(t.config.dataDir);
    expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
    for (const f of [...files, ...filesUnder(t.config.stacksDir)]) {
      const bytes = readFileSync(f);
      expect(bytes.includes(token), f).toBe(false);
      expect(bytes.includes(secret), f).toBe(false);
    }
  });

  it("records an operator's deploy and a token's failed attempt, and exports them as CSV and NDJSON", async () => {
    const { token, id } = await makeToken(operator, { name: 'audited', role: 'viewer' });
    // A viewer token trying to deploy: refused with 403.
    expect((await bearer(t, token).post(`/api/stacks/${A}/up`)).status).toBe(403);
    await operator.delete(`/api/tokens/${id}`).expect(200);
    expect((await bearer(t, token).get('/api/stacks')).status).toBe(401);

    const entries = (
      await t.agent
        .get('/api/audit')
        .query({ user: `${P}-operator` })
        .expect(200)
    ).body as Array<{
      via: string;
      operation: string;
      target: string;
      status: number;
      address: string;
    }>;
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ via: 'session', operation: 'runAction:up', target: A, status: 202 }),
        expect.objectContaining({ via: 'token:audited', operation: 'runAction:up', target: A, status: 403 }),
        expect.objectContaining({ via: 'token:audited', operation: 'listStacks', status: 401 }),
        expect.objectContaining({ via: 'session', operation: 'exec:open', target: A, status: 200 }),
      ]),
    );
    const byStack = (await t.agent.get('/api/audit').query({ stack: A }).expect(200)).body as Array<{
      target: string;
    }>;
    expect(byStack.length).toBeGreaterThan(0);
    expect(byStack.every((e) => e.target === A)).toBe(true);

    const csv = await t.agent
      .get('/api/audit')
      .query({ user: `${P}-operator`, format: 'csv' })
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\r\n')[0]).toBe('at,user,via,operation,target,host,status,address');
    expect(csv.text).toContain(`${P}-operator,session,runAction:up,${A},local,202,`);
    expect(csv.text).toContain(`${P}-operator,token:audited,runAction:up,${A},local,403,`);
    const nd = await t.agent
      .get('/api/audit')
      .query({ user: `${P}-operator`, format: 'ndjson' })
      .buffer(true)
      .parse((res, cb) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => cb(null, text));
      })
      .expect(200);
    const lines = String(nd.body)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { operation: string; status: number });
    expect(lines).toEqual(
      expect.arrayContaining([expect.objectContaining({ operation: 'runAction:up', status: 202 })]),
    );
    // The refused token handshake of the token test is there too.
    const all = (await t.agent.get('/api/audit').query({ limit: 10_000 }).expect(200)).body as Array<{
      operation: string;
      status: number;
      via: string;
    }>;
    expect(all).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ operation: 'socket:connect', status: 401, via: 'token' }),
      ]),
    );
    // Only an admin reads the audit log.
    expect((await operator.get('/api/audit')).status).toBe(403);
  });

  it('invites: no password yet, no login; the link sets it once and logs in', async () => {
    const name = `${P}-invited`;
    const created = await t.agent.post('/api/users').send({ username: name, role: 'operator' }).expect(201);
    const url = created.body.inviteUrl as string;
    expect(url).toMatch(new RegExp(`^${t.url.replace(/[.]/g, '\\.')}/invite#[A-Za-z0-9_-]{43}$`));
    const invite = url.split('#')[1] ?? '';
    expect(
      (await t.anon().post('/api/auth/login').send({ username: name, password: 'anything long' })).status,
    ).toBe(401);
    const agent = t.anon();
    const accepted = await agent
      .post('/api/auth/invite')
      .send({ token: invite, password: USER_PASSWORD })
      .expect(200);
    expect(accepted.body.user).toMatchObject({ username: name, role: 'operator' });
    await agent.get('/api/stacks').expect(200);
    expect(
      (await t.anon().post('/api/auth/invite').send({ token: invite, password: USER_PASSWORD })).status,
    ).toBe(404);
  });

  it('keeps an enabled admin; sessions: lists one’s own and ends the others', async () => {
    const res = await t.agent.patch('/api/users/admin').send({ role: 'viewer' });
    expect(res.status).toBe(409);
    expect((await t.agent.delete('/api/users/admin')).status).toBe(409);

    const name = `${P}-sessions`;
    const first = await userAgent(t, name, 'viewer');
    const second = t.anon();
    await second.post('/api/auth/login').send({ username: name, password: USER_PASSWORD }).expect(200);
    const sessions = (await first.get('/api/auth/sessions').expect(200)).body as Array<{ current: boolean }>;
    expect(sessions.length).toBe(2);
    expect(sessions.filter((x) => x.current).length).toBe(1);
    expect((await first.delete('/api/auth/sessions').expect(200)).body).toEqual({ ended: 1 });
    expect((await second.get('/api/stacks')).status).toBe(401);
    await first.get('/api/stacks').expect(200);
    // The status tells the SPA the role and its permissions.
    expect((await first.get('/api/auth/status')).body.user).toMatchObject({
      role: 'viewer',
      permissions: ['read'],
    });
  });

  it('deleting a user ends their sessions and drops their tokens', async () => {
    const name = `${P}-deleted`;
    const agent = await userAgent(t, name, 'editor');
    const { token } = await makeToken(agent, { name: 'x', role: 'viewer' });
    await t.agent.delete(`/api/users/${name}`).expect(200);
    expect((await agent.get('/api/stacks')).status).toBe(401);
    expect((await bearer(t, token).get('/api/stacks')).status).toBe(401);
    expect((await request(t.berth.http.server).get('/api/users')).status).toBe(401);
  });
});
