// Every operation of the table × every role, by session and by API token: allowed calls get
// through (and succeed with a sample input), refused ones are 403 FORBIDDEN and change nothing.
// Generated from ROUTES: an operation added to the table is in this matrix at once.
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allows, ROLES, type Role } from '../../common/permissions.js';
import { ROUTES, urlOf, type OperationId } from '../../common/routes.js';
import { startBerth, waitForJob, type TestAgent, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate, TEST_IMAGE } from '../helpers/engine.js';
import { bearer, makeToken, USER_PASSWORD, userAgent } from '../helpers/users.js';

const hasEngine = await engineGate();

const P = `usr-${process.pid}`;
const STACK = `${P}-m`;
const YAML = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 3600\n    stop_signal: SIGKILL\n`;
const ROLE_NAMES = Object.keys(ROLES) as Role[];

type Caller = { label: string; role: Role; agent: TestAgent | ReturnType<typeof bearer>; owner: string };
interface Sample {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
}

let t: TestBerth;
let db: BetterSqlite3.Database;
let historyId = '';
let jobId = '';
let seq = 0;
const fresh = (what: string) => `${P}-${what}${++seq}`;

/** A concrete, valid input for each operation; unknown (new) operations get well-formed params only. */
async function sampleFor(id: OperationId, caller: Caller): Promise<Sample | null> {
  const name = { name: STACK };
  switch (id) {
    case 'createStack':
      return { body: { name: fresh('c'), yaml: YAML } };
    case 'getStack':
    case 'listHistory':
      return { params: name };
    case 'saveStack': {
      const cur = await t.agent.get(`/api/stacks/${STACK}`).expect(200);
      return { params: name, body: { yaml: `${YAML}# ${seq++}\n`, etag: cur.body.etag } };
    }
    case 'deleteStack': {
      const doomed = fresh('d');
      await t.agent.post('/api/stacks').send({ name: doomed, yaml: YAML }).expect(201);
      return { params: { name: doomed } };
    }
    case 'getHistoryVersion':
    case 'restoreHistoryVersion':
      return { params: { name: STACK, id: historyId } };
    case 'runAction':
      return { params: { name: STACK, action: 'stop' } };
    case 'getJob':
      return { params: { id: jobId } };
    case 'validate':
      return { body: { yaml: YAML } };
    case 'convert':
      return { body: { command: `docker run -d ${TEST_IMAGE} sleep 1` } };
    case 'changePassword':
      return { body: { currentPassword: USER_PASSWORD, newPassword: USER_PASSWORD } };
    case 'createUser':
      return { body: { username: fresh('u'), role: 'viewer', password: USER_PASSWORD } };
    case 'updateUser':
    case 'deleteUser': {
      const username = fresh('u');
      await t.agent
        .post('/api/users')
        .send({ username, role: 'viewer', password: USER_PASSWORD })
        .expect(201);
      return { params: { username }, body: id === 'updateUser' ? { role: 'operator' } : undefined };
    }
    case 'createToken':
      return { body: { name: fresh('t'), role: 'viewer' } };
    case 'revokeToken': {
      const res = await caller.agent
        .post('/api/tokens')
        .send({ name: fresh('t'), role: 'viewer' })
        .expect(201);
      return { params: { id: res.body.id } };
    }
    case 'updateSettings':
      return { body: { auditRetentionDays: 90 } };
    case 'getTemplate':
      return { params: { id: 'builtin/static-site' } };
    case 'createStackFromTemplate':
      return { body: { name: fresh('tpl'), template: 'builtin/static-site' } };
    case 'saveTemplate':
      return { body: { stack: STACK, name: fresh('t'), title: 'matrix' } };
    case 'deleteTemplate': {
      const doomed = fresh('t');
      await t.agent.post('/api/templates').send({ stack: STACK, name: doomed, title: 'doomed' }).expect(201);
      return { params: { id: `user/${doomed}` } };
    }
    case 'importTemplates':
      return { body: { catalogue: { version: '2', templates: [] } } };
    case 'listTemplates':
    case 'listStacks':
    case 'listUsers':
    case 'listSessions':
    case 'endOtherSessions':
    case 'listTokens':
    case 'getAudit':
    case 'getSettings':
      return {};
    default:
      return null;
  }
}

/** Params that parse for an operation nobody wrote a sample for. */
function wellFormed(id: OperationId): Sample {
  const params: Record<string, string> = {};
  for (const [, key] of ROUTES[id].path.matchAll(/:(\w+)/g)) {
    params[key as string] =
      key === 'name' ? STACK : key === 'action' ? 'stop' : key === 'id' ? randomUUID() : 'x';
  }
  return { params, body: {} };
}

function listFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) listFiles(full, out);
    else out.push(`${full} ${createHash('sha256').update(readFileSync(full)).digest('hex')}`);
  }
  return out;
}

/** What a refused call must not change: the stacks folder, users, invites, tokens, settings. */
function snapshot(): string {
  const rows = (sql: string) => JSON.stringify(db.prepare(sql).all());
  return [
    listFiles(t.config.stacksDir).sort().join('\n'),
    rows('SELECT * FROM users ORDER BY id'),
    rows('SELECT * FROM invites ORDER BY hash'),
    // Use of a token (its last-used time and address) is no change of state worth refusing.
    rows(
      'SELECT id, username, name, role, prefix, hash, stacks, expires_at, revoked_at FROM tokens ORDER BY id',
    ),
    rows('SELECT * FROM settings ORDER BY key'),
  ].join('\n---\n');
}

const callers: Caller[] = [];

describe.runIf(hasEngine)('access matrix: every operation × every role, by session and by token', () => {
  beforeAll(async () => {
    t = await startBerth();
    db = new BetterSqlite3(path.join(t.config.dataDir, 'berth.db'), { readonly: true });
    await t.agent.post('/api/stacks').send({ name: STACK, yaml: YAML }).expect(201);
    const cur = await t.agent.get(`/api/stacks/${STACK}`).expect(200);
    await t.agent
      .put(`/api/stacks/${STACK}`)
      .send({ yaml: `${YAML}# v2\n`, etag: cur.body.etag })
      .expect(200);
    historyId = (await t.agent.get(`/api/stacks/${STACK}/history`).expect(200)).body[0].id;
    jobId = (await t.agent.post(`/api/stacks/${STACK}/stop`).expect(202)).body.jobId;
    await waitForJob(t.agent, jobId);
    for (const role of ROLE_NAMES) {
      const username = `${P}-${role}`;
      callers.push({
        label: `${role} session`,
        role,
        agent: await userAgent(t, username, role),
        owner: username,
      });
      // Token owners of their own, so a token ending "its user's other sessions" ends none of the above.
      const owner = await userAgent(t, `${P}-tok-${role}`, role);
      const { token } = await makeToken(owner, { name: `matrix-${role}`, role });
      callers.push({ label: `${role} token`, role, agent: bearer(t, token), owner: `${P}-tok-${role}` });
    }
  }, 120_000);
  afterAll(async () => {
    db?.close();
    await docker(['compose', '-p', STACK, 'down'], t.config.stacksDir).catch(() => '');
    await t?.close();
  });

  const guarded = (Object.keys(ROUTES) as OperationId[]).filter((id) => ROUTES[id].access !== 'public');

  it('includes every operation that needs a sign-in, the new ones too', () => {
    expect(guarded.length).toBe(Object.values(ROUTES).filter((r) => r.access !== 'public').length);
    expect(guarded).toEqual(expect.arrayContaining(['saveStack', 'runAction', 'createUser', 'getAudit']));
  });

  for (const id of guarded) {
    const def = ROUTES[id];
    it(`${id} (${def.method.toUpperCase()} ${def.path}, needs "${def.access}")`, async () => {
      for (const caller of callers) {
        const allowed = allows(ROLES[caller.role], def.access);
        const written = await sampleFor(id, caller);
        const sample = written ?? wellFormed(id);
        const url = urlOf(id, sample.params ?? {}, sample.query);
        const before = allowed ? '' : snapshot();
        const req = caller.agent[def.method](url);
        const res = await (sample.body !== undefined ? req.send(sample.body as object) : req);
        const what = `${id} as ${caller.label}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
        if (allowed) {
          expect([401, 403], what).not.toContain(res.status);
          // A written sample must succeed; a new operation without one only has to get past access.
          if (written) expect(res.status, what).toBeLessThan(400);
          if (id === 'runAction' || id === 'deleteStack') await waitForJob(t.agent, res.body.jobId);
        } else {
          expect(res.status, what).toBe(403);
          expect(res.body.error.code, what).toBe('FORBIDDEN');
          expect(snapshot(), what).toBe(before);
        }
      }
    }, 120_000);
  }

  it('refused calls are in the audit log', async () => {
    const res = await t.agent
      .get('/api/audit')
      .query({ user: `${P}-viewer`, limit: 1000 })
      .expect(200);
    const refused = (res.body as Array<{ operation: string; status: number; via: string }>).filter(
      (e) => e.status === 403,
    );
    expect(refused.map((e) => e.operation)).toEqual(
      expect.arrayContaining(['saveStack', 'runAction:stop', 'createUser']),
    );
  });
});
