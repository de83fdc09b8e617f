import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { engineGate } from '../helpers/engine.js';
import { startBerth, waitForJob, type TestBerth } from '../helpers/berth.js';
import { tempDir } from '../helpers/factories.js';

const hasEngine = await engineGate();

const WEB = `services:
  web:
    image: berth-test/busybox:latest
    command: httpd -f -p 8080
`;
const WEB2 = WEB.replace('8080', '8081');

let t: TestBerth;
beforeEach(async () => {
  t = await startBerth();
});
afterEach(async () => {
  await t.close();
});

const stackDir = (name: string) => path.join(t.config.stacksDir, name);

/**
 * The stacks of this Berth's folder: the shared engine may hold other tests' compose projects,
 * which are listed too (managed: false) and are none of these tests' business.
 */
const managedNames = async (): Promise<string[]> =>
  ((await t.agent.get('/api/stacks').expect(200)).body as Array<{ name: string; managed: boolean }>)
    .filter((x) => x.managed)
    .map((x) => x.name);

describe('stacks CRUD', () => {
  it('creates, reads, lists, saves with etag and keeps history', async () => {
    const created = await t.agent
      .post('/api/stacks')
      .send({ name: 'web', yaml: WEB, env: 'PORT=8080\n' })
      .expect(201);
    expect(created.body).toMatchObject({
      name: 'web',
      managed: true,
      composeFile: 'compose.yaml',
      yaml: WEB,
      env: 'PORT=8080\n',
      services: { total: 1 },
    });
    expect(readFileSync(path.join(stackDir('web'), 'compose.yaml'), 'utf8')).toBe(WEB);
    expect(readFileSync(path.join(stackDir('web'), '.env'), 'utf8')).toBe('PORT=8080\n');

    expect(await managedNames()).toEqual(['web']);

    const read = await t.agent.get('/api/stacks/web').expect(200);
    expect(read.body.etag).toBe(created.body.etag);

    const saved = await t.agent.put('/api/stacks/web').send({ yaml: WEB2, etag: read.body.etag }).expect(200);
    expect(saved.body.etag).not.toBe(read.body.etag);
    expect(saved.body.problems).toEqual([]);
    expect(readFileSync(path.join(stackDir('web'), 'compose.yaml'), 'utf8')).toBe(WEB2);
    // env omitted: .env untouched
    expect(readFileSync(path.join(stackDir('web'), '.env'), 'utf8')).toBe('PORT=8080\n');

    const after = await t.agent.get('/api/stacks/web').expect(200);
    expect(after.body.etag).toBe(saved.body.etag);
    expect(after.body.yaml).toBe(WEB2);

    const history = await t.agent.get('/api/stacks/web/history').expect(200);
    expect(history.body).toHaveLength(1);
    const old = await t.agent.get(`/api/stacks/web/history/${history.body[0].id}`).expect(200);
    expect(old.body).toMatchObject({ yaml: WEB, env: 'PORT=8080\n' });
  });

  it('refuses a stale etag with 409 carrying the current content, and overwrites nothing', async () => {
    const created = await t.agent.post('/api/stacks').send({ name: 'app', yaml: WEB }).expect(201);
    await t.agent.put('/api/stacks/app').send({ yaml: WEB2, etag: created.body.etag }).expect(200);
    const stale = await t.agent
      .put('/api/stacks/app')
      .send({ yaml: '# mine\n' + WEB, etag: created.body.etag })
      .expect(409);
    expect(stale.body.error.code).toBe('CONFLICT');
    expect(stale.body.error.details.current.yaml).toBe(WEB2);
    expect(readFileSync(path.join(stackDir('app'), 'compose.yaml'), 'utf8')).toBe(WEB2);
    const history = await t.agent.get('/api/stacks/app/history').expect(200);
    expect(history.body).toHaveLength(1);
  });

  it('records every changing save in history and restores a version as a new save', async () => {
    const versions = [WEB, WEB2, WEB.replace('8080', '9000'), WEB.replace('8080', '9001')];
    let etag = (await t.agent.post('/api/stacks').send({ name: 'hist', yaml: versions[0] }).expect(201)).body
      .etag;
    for (const v of versions.slice(1)) {
      etag = (await t.agent.put('/api/stacks/hist').send({ yaml: v, etag }).expect(200)).body.etag;
    }
    // A save without changes records nothing.
    await t.agent.put('/api/stacks/hist').send({ yaml: versions[3], etag }).expect(200);
    const list = (await t.agent.get('/api/stacks/hist/history').expect(200)).body as Array<{ id: string }>;
    expect(list).toHaveLength(3);
    // newest first: list[2] is the very first version
    const first = list[2];
    if (!first) throw new Error('no history');
    const restored = await t.agent.post(`/api/stacks/hist/history/${first.id}/restore`).expect(200);
    expect(readFileSync(path.join(stackDir('hist'), 'compose.yaml'), 'utf8')).toBe(versions[0]);
    expect((await t.agent.get('/api/stacks/hist').expect(200)).body.etag).toBe(restored.body.etag);
    expect((await t.agent.get('/api/stacks/hist/history').expect(200)).body).toHaveLength(4);
    await t.agent.get('/api/stacks/hist/history/20260101T000000000Z-abcdef').expect(404);
    await t.agent.get('/api/stacks/hist/history/..%2f..%2fetc').expect(404);
  });

  it('answers 422 with located problems for YAML that does not parse, and writes nothing', async () => {
    const created = await t.agent.post('/api/stacks').send({ name: 'bad', yaml: WEB }).expect(201);
    const res = await t.agent
      .put('/api/stacks/bad')
      .send({ yaml: 'services:\n  web:\n    image: [unclosed\n', etag: created.body.etag })
      .expect(422);
    expect(res.body.error.code).toBe('INVALID_COMPOSE');
    expect(res.body.error.details.problems.length).toBeGreaterThan(0);
    expect(res.body.error.details.problems[0]).toMatchObject({ severity: 'error', line: expect.any(Number) });
    expect(readFileSync(path.join(stackDir('bad'), 'compose.yaml'), 'utf8')).toBe(WEB);
    await t.agent.post('/api/stacks').send({ name: 'bad2', yaml: 'a: [' }).expect(422);
    expect(existsSync(stackDir('bad2'))).toBe(false);
  });

  it('saves a draft with schema problems and returns them', async () => {
    const created = await t.agent.post('/api/stacks').send({ name: 'draft', yaml: WEB }).expect(201);
    const draft = WEB.replace('image:', 'imagee:');
    const res = await t.agent
      .put('/api/stacks/draft')
      .send({ yaml: draft, etag: created.body.etag })
      .expect(200);
    expect(res.body.problems.length).toBeGreaterThan(0);
    expect(res.body.problems[0]).toMatchObject({ severity: 'error', line: 3 });
    expect(readFileSync(path.join(stackDir('draft'), 'compose.yaml'), 'utf8')).toBe(draft);
  });

  it('refuses to create a stack that exists', async () => {
    await t.agent.post('/api/stacks').send({ name: 'dup', yaml: WEB }).expect(201);
    const res = await t.agent.post('/api/stacks').send({ name: 'dup', yaml: WEB2 }).expect(409);
    expect(res.body.error.code).toBe('STACK_EXISTS');
    expect(readFileSync(path.join(stackDir('dup'), 'compose.yaml'), 'utf8')).toBe(WEB);
  });

  it('finds compose files by compose own names and order, and ignores dot folders', async () => {
    for (const [name, file] of [
      ['a', 'docker-compose.yml'],
      ['b', 'compose.yml'],
    ] as const) {
      mkdirSync(stackDir(name));
      writeFileSync(path.join(stackDir(name), file), WEB);
    }
    writeFileSync(path.join(stackDir('b'), 'docker-compose.yaml'), WEB2);
    mkdirSync(stackDir('.hidden'));
    writeFileSync(path.join(stackDir('.hidden'), 'compose.yaml'), WEB);
    mkdirSync(stackDir('no-compose'));
    await expect
      .poll(async () => (await t.agent.get('/api/stacks')).body.map((s: { name: string }) => s.name))
      .toEqual(['a', 'b']);
    const b = await t.agent.get('/api/stacks/b').expect(200);
    expect(b.body).toMatchObject({ composeFile: 'compose.yml', yaml: WEB });
    await t.agent.get('/api/stacks/no-compose').expect(404);
  });
});

describe.runIf(hasEngine)('delete', () => {
  it('runs compose down, then moves the folder to .trash (nothing destroyed)', async () => {
    await t.agent.post('/api/stacks').send({ name: 'gone', yaml: WEB, env: 'A=1\n' }).expect(201);
    const res = await t.agent.delete('/api/stacks/gone').expect(202);
    const job = await waitForJob(t.agent, res.body.jobId);
    expect(job).toMatchObject({ state: 'succeeded', exitCode: 0 });
    expect(job.output).toContain('docker compose -p gone --progress plain down --remove-orphans');
    expect(existsSync(stackDir('gone'))).toBe(false);
    const trash = readdirSync(path.join(t.config.stacksDir, '.trash'));
    expect(trash).toHaveLength(1);
    expect(trash[0]).toMatch(/^gone-\d{8}T\d{9}Z$/);
    const kept = path.join(t.config.stacksDir, '.trash', trash[0] ?? '');
    expect(readFileSync(path.join(kept, 'compose.yaml'), 'utf8')).toBe(WEB);
    expect(readFileSync(path.join(kept, '.env'), 'utf8')).toBe('A=1\n');
    await t.agent.get('/api/stacks/gone').expect(404);
    expect(await managedNames()).toEqual([]);
    await t.agent.delete('/api/stacks/gone').expect(404);
  });
});

describe('bad input: a clear 4xx and nothing read or written outside the stacks dir', () => {
  let outside: { dir: string; cleanup: () => void };
  beforeAll(() => {
    outside = tempDir('berth-outside-');
  });
  afterAll(() => outside.cleanup());

  const badNames = [
    '..',
    '%2e%2e',
    '..%2f..%2fetc',
    'a%5cb',
    '%5c..%5c',
    'a%00b',
    '%2fetc%2fpasswd',
    'a%2f..%2f..%2fetc',
    'a%2f%2fb',
    'a'.repeat(65),
    '-leading',
    '.hidden',
    'a%2f.hidden',
  ];

  // Folder names compose accepts are stack names (issue 16): absent ones are a plain 404.
  it.each(['Upper', 'sp%20ace', 'a%2fb', 'My.App'])('GET /api/stacks/%s of no folder → 404', async (name) => {
    const res = await t.agent.get(`/api/stacks/${name}`).expect(404);
    expect(res.body.error.code).toBe('STACK_NOT_FOUND');
  });

  it.each(badNames)('GET/PUT/DELETE/history /api/stacks/%s → 400 or 404', async (name) => {
    for (const res of [
      await t.agent.get(`/api/stacks/${name}`),
      await t.agent.put(`/api/stacks/${name}`).send({ yaml: WEB, etag: 'x' }),
      await t.agent.delete(`/api/stacks/${name}`),
      await t.agent.get(`/api/stacks/${name}/history`),
    ]) {
      expect([400, 404]).toContain(res.status);
      expect(res.body.error.message).toBeTruthy();
      expect(JSON.stringify(res.body)).not.toContain('root:');
    }
  });

  it.each(['..', '../evil', '/etc', 'a/b', 'a\\b', 'a\0b', 'Upper', 'a'.repeat(65), '', ' x'])(
    'POST /api/stacks with name %j → 400 naming the rule',
    async (name) => {
      const res = await t.agent.post('/api/stacks').send({ name, yaml: WEB }).expect(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
      expect(res.body.error.message).toMatch(/name/);
      expect(readdirSync(t.config.stacksDir)).toEqual([]);
    },
  );

  it('refuses a stack folder that is a symlink to /etc', async () => {
    symlinkSync('/etc', stackDir('etc'));
    const res = await t.agent.get('/api/stacks/etc').expect(400);
    expect(res.body.error.message).toMatch(/outside the stacks dir/);
    await t.agent.get('/api/stacks/etc/history').expect(200); // history lives in the data dir
    expect(await managedNames()).toEqual([]);
  });

  it('never writes through a symlinked stack folder or compose file', async () => {
    symlinkSync(outside.dir, stackDir('evil'));
    await t.agent.post('/api/stacks').send({ name: 'evil', yaml: WEB }).expect(400);
    await t.agent.put('/api/stacks/evil').send({ yaml: WEB, etag: 'x' }).expect(400);
    expect(readdirSync(outside.dir)).toEqual([]);

    const target = path.join(outside.dir, 'secret.yaml');
    writeFileSync(target, 'services: {}\n');
    mkdirSync(stackDir('link'));
    symlinkSync(target, path.join(stackDir('link'), 'compose.yaml'));
    const read = await t.agent.get('/api/stacks/link').expect(400);
    expect(JSON.stringify(read.body)).not.toContain('services: {}');
    await t.agent.put('/api/stacks/link').send({ yaml: WEB, etag: 'x' }).expect(400);
    expect(readFileSync(target, 'utf8')).toBe('services: {}\n');
    rmSync(path.join(stackDir('link'), 'compose.yaml'));
  });

  it('answers malformed JSON, wrong types and missing fields with 400', async () => {
    const raw = await t.agent
      .post('/api/stacks')
      .set('Content-Type', 'application/json')
      .send('{"name": "x",');
    expect(raw.status).toBe(400);
    expect(raw.body.error.message).toMatch(/JSON/);
    const typed = await t.agent.post('/api/stacks').send({ name: 'x', yaml: 5 }).expect(400);
    expect(typed.body.error.message).toMatch(/yaml/);
    await t.agent.post('/api/stacks').send({ name: 'x' }).expect(400);
    await t.agent.post('/api/stacks').send([1, 2]).expect(400);
    await t.agent.post('/api/validate').send({ yaml: null }).expect(400);
    expect(readdirSync(t.config.stacksDir)).toEqual([]);
  });

  it('answers bodies over 1 MiB with 413', async () => {
    const big = 'x: ' + 'a'.repeat(1100 * 1024) + '\n';
    const res = await t.agent.post('/api/stacks').send({ name: 'big', yaml: big }).expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(existsSync(stackDir('big'))).toBe(false);
  });

  it('never leaks a stack trace', async () => {
    const res = await t.agent.get('/api/jobs/not-a-uuid').expect(400);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.ts:\d+/);
  });
});

describe('POST /api/validate', () => {
  it('returns located problems, and none for a valid file', async () => {
    expect((await t.agent.post('/api/validate').send({ yaml: WEB }).expect(200)).body).toEqual({
      problems: [],
    });
    const res = await t.agent
      .post('/api/validate')
      .send({ yaml: 'services:\n  web:\n    imagee: x\n' })
      .expect(200);
    expect(res.body.problems[0]).toMatchObject({ severity: 'error', line: 3, column: 5 });
  });
});
