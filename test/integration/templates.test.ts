import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envEntries, type TemplateDetail, type TemplateSummary } from '../../common/templates.js';
import { startBerth, waitForJob, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate, TEST_IMAGE } from '../helpers/engine.js';

const hasEngine = await engineGate();
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/portainer');
const fixture = (f: string) => readFileSync(path.join(FIXTURES, f), 'utf8');
const tid = (id: string) => encodeURIComponent(id);
const envOf = (text: string) => Object.fromEntries(envEntries(text).map((e) => [e.key, e.value]));

/** Serves the catalogues a URL import fetches, on loopback. */
function catalogueServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.url === '/technorabilia.json') {
      res.setHeader('content-type', 'application/json');
      res.end(fixture('technorabilia-templates.json'));
    } else if (req.url === '/moved') {
      res.writeHead(302, { location: '/technorabilia.json' }).end();
    } else if (req.url === '/huge.json') {
      // Larger than the 4 MiB cap, sent without a length so the cap counts the bytes.
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      for (let i = 0; i < 5; i++) res.write(chunk);
      res.end('{}');
    } else if (req.url === '/html') {
      res.end('<html></html>');
    } else res.writeHead(404).end();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

describe.runIf(hasEngine)('templates through the real server', () => {
  let t: TestBerth;
  let strict: TestBerth;
  let web: { server: Server; url: string };
  const p = `tpl-${process.pid}`;
  const stackDir = (name: string) => path.join(t.config.stacksDir, name);
  const compose = (name: string, args: string[]) => docker(['compose', '-p', name, ...args], stackDir(name));

  beforeAll(async () => {
    // One Berth lets catalogue URLs reach loopback (the local server below); the other keeps the default.
    t = await startBerth({ config: { templateImportPrivate: true } });
    strict = await startBerth();
    web = await catalogueServer();
  });
  afterAll(async () => {
    await compose(`${p}-run`, ['down', '--remove-orphans', '-t', '0']).catch(() => undefined);
    await t?.close();
    await strict?.close();
    web?.server.close();
  });

  it('lists the built-in templates (the example stacks)', async () => {
    const list = (await t.agent.get('/api/templates').expect(200)).body as TemplateSummary[];
    const ids = list.map((x) => x.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'builtin/caddy-tls-proxy',
        'builtin/postgres-adminer',
        'builtin/static-site',
        'builtin/uptime-kuma',
        'builtin/web-with-init',
      ]),
    );
    const pg = list.find((x) => x.id === 'builtin/postgres-adminer');
    expect(pg).toMatchObject({ source: 'builtin', category: 'database', title: 'PostgreSQL with Adminer' });
    expect(pg?.variables.find((v) => v.name === 'POSTGRES_PASSWORD')).toMatchObject({
      type: 'secret',
      length: 32,
    });
    const detail = (await t.agent.get(`/api/templates/${tid('builtin/postgres-adminer')}`).expect(200))
      .body as TemplateDetail;
    expect(detail.compose).toBe(
      readFileSync(path.resolve('stacks-example/postgres-adminer/compose.yaml'), 'utf8'),
    );
    expect(detail.envExample).toMatch(/^POSTGRES_PASSWORD=$/m);
  });

  it('creates a stack from a template: .env holds the values and a generated secret of its length', async () => {
    const name = `${p}-pg`;
    const res = await t.agent
      .post('/api/stacks/from-template')
      .send({
        name,
        template: 'builtin/postgres-adminer',
        values: { POSTGRES_USER: 'shop', ADMINER_PORT: 18081 },
      })
      .expect(201);
    expect(res.body.generated).toEqual(['POSTGRES_PASSWORD']);
    expect(res.body.name).toBe(name);
    const env = readFileSync(path.join(stackDir(name), '.env'), 'utf8');
    expect(env).toMatch(/^# Written by Berth/);
    const values = envOf(env);
    expect(values).toMatchObject({ POSTGRES_USER: 'shop', POSTGRES_DB: 'app', ADMINER_PORT: '18081' });
    expect(values.POSTGRES_PASSWORD).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(res.body.env).toBe(env);
    // The compose file is copied as is and compose itself reads the values from .env.
    expect(readFileSync(path.join(stackDir(name), 'compose.yaml'), 'utf8')).toBe(
      readFileSync(path.resolve('stacks-example/postgres-adminer/compose.yaml'), 'utf8'),
    );
    const model = JSON.parse(await compose(name, ['config', '--format', 'json'])) as {
      services: Record<
        string,
        { environment?: Record<string, string>; ports?: Array<{ published: string }> }
      >;
    };
    expect(model.services.db?.environment?.POSTGRES_PASSWORD).toBe(values.POSTGRES_PASSWORD);
    expect(model.services.adminer?.ports?.[0]?.published).toBe('18081');
  });

  it("copies the template's other files (static-site's html/)", async () => {
    const name = `${p}-site`;
    await t.agent
      .post('/api/stacks/from-template')
      .send({ name, template: 'builtin/static-site' })
      .expect(201);
    expect(existsSync(path.join(stackDir(name), 'html', 'index.html'))).toBe(true);
    expect(existsSync(path.join(stackDir(name), 'template.json'))).toBe(false);
    expect(envOf(readFileSync(path.join(stackDir(name), '.env'), 'utf8'))).toEqual({ WEB_PORT: '8080' });
  });

  it('refuses bad values with 400 naming the field, and creates nothing', async () => {
    const name = `${p}-bad`;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ADMINER_PORT: 70000 }, 'ADMINER_PORT'],
      [{ ADMINER_PORT: 'http' }, 'ADMINER_PORT'],
      [{ POSTGRES_USER: 'a\nb' }, 'POSTGRES_USER'],
      [{ NOT_A_VARIABLE: 'x' }, 'NOT_A_VARIABLE'],
    ];
    for (const [values, field] of cases) {
      const res = await t.agent
        .post('/api/stacks/from-template')
        .send({ name, template: 'builtin/postgres-adminer', values })
        .expect(400);
      expect(res.body.error.code).toBe('BAD_REQUEST');
      expect(res.body.error.message).toContain(field);
      expect(res.body.error.details.issues[0].path).toBe(`values.${field}`);
    }
    expect(existsSync(stackDir(name))).toBe(false);
    await t.agent.post('/api/stacks/from-template').send({ name, template: 'builtin/nope' }).expect(404);
    const taken = await t.agent
      .post('/api/stacks/from-template')
      .send({ name: `${p}-pg`, template: 'builtin/static-site' })
      .expect(409);
    expect(taken.body.error.code).toBe('STACK_EXISTS');
  });

  it('saves a stack as a template: .env becomes .env.example with secrets blanked, variables inferred', async () => {
    const src = `${p}-src`;
    const yaml = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ['sleep', '3600']\n    environment:\n      APP_TOKEN: \${APP_TOKEN}\n      GREETING: \${GREETING}\n`;
    await t.agent
      .post('/api/stacks')
      .send({ name: src, yaml, env: '# app settings\nAPP_TOKEN=do-not-leak\nGREETING=hello\n' })
      .expect(201);
    const saved = await t.agent
      .post('/api/templates')
      .send({ stack: src, name: `${p}-tpl`, title: 'Sleeper', description: 'sleeps', category: 'Test' })
      .expect(201);
    const tpl = saved.body as TemplateDetail;
    expect(tpl).toMatchObject({ id: `user/${p}-tpl`, source: 'user', title: 'Sleeper', category: 'Test' });
    expect(tpl.compose).toBe(yaml);
    expect(tpl.envExample).toBe('# app settings\nAPP_TOKEN=\nGREETING=hello\n');
    expect(tpl.variables).toEqual([
      { name: 'APP_TOKEN', label: 'App token', type: 'secret', length: 32 },
      { name: 'GREETING', label: 'Greeting', type: 'text', default: 'hello' },
    ]);
    const onDisk = path.join(t.config.dataDir, 'templates', `${p}-tpl`);
    expect(readFileSync(path.join(onDisk, '.env.example'), 'utf8')).not.toContain('do-not-leak');
    expect(JSON.stringify(readdirSync(onDisk).sort())).toBe(
      '[".env.example","compose.yaml","template.json"]',
    );
    // The same name again is a conflict; edited variables are taken as given.
    await t.agent
      .post('/api/templates')
      .send({ stack: src, name: `${p}-tpl`, title: 'again' })
      .expect(409);
    const edited = await t.agent
      .post('/api/templates')
      .send({
        stack: src,
        name: `${p}-tpl2`,
        title: 'Edited',
        variables: [
          {
            name: 'GREETING',
            label: 'Greeting',
            type: 'select',
            options: [{ value: 'hello' }, { value: 'hi' }],
          },
        ],
      })
      .expect(201);
    expect(edited.body.variables).toHaveLength(1);
    // APP_TOKEN is no variable there, but its key looks secret: its value never reaches the template.
    expect(edited.body.envExample).toBe('# app settings\nAPP_TOKEN=\nGREETING=hello\n');
    await t.agent
      .post('/api/templates')
      .send({ stack: `${p}-missing`, name: `${p}-x`, title: 'x' })
      .expect(404);
  });

  it('a stack made from the saved template runs with its generated secret in the container', async () => {
    const name = `${p}-run`;
    const res = await t.agent
      .post('/api/stacks/from-template')
      .send({ name, template: `user/${p}-tpl`, values: { GREETING: 'hi there' } })
      .expect(201);
    expect(res.body.generated).toEqual(['APP_TOKEN']);
    const values = envOf(readFileSync(path.join(stackDir(name), '.env'), 'utf8'));
    expect(values.APP_TOKEN).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(values.GREETING).toBe('hi there');
    const up = await t.agent.post(`/api/stacks/${name}/up`).expect(202);
    expect((await waitForJob(t.agent, up.body.jobId)).exitCode).toBe(0);
    const id = await compose(name, ['ps', '-q', 'app']);
    const env = (await docker(['inspect', '-f', '{{json .Config.Env}}', id])) as string;
    expect(JSON.parse(env)).toEqual(
      expect.arrayContaining([`APP_TOKEN=${values.APP_TOKEN}`, 'GREETING=hi there']),
    );
  });

  it("deletes a user template into the data dir's trash; built-ins cannot be deleted", async () => {
    await t.agent.delete(`/api/templates/${tid(`user/${p}-tpl2`)}`).expect(200);
    const trash = path.join(t.config.dataDir, 'trash', 'templates');
    const moved = readdirSync(trash).filter((d) => d.startsWith(`${p}-tpl2-`));
    expect(moved).toHaveLength(1);
    expect(existsSync(path.join(trash, moved[0] ?? '', 'compose.yaml'))).toBe(true);
    const list = (await t.agent.get('/api/templates').expect(200)).body as TemplateSummary[];
    expect(list.map((x) => x.id)).not.toContain(`user/${p}-tpl2`);
    await t.agent.delete(`/api/templates/${tid(`user/${p}-tpl2`)}`).expect(404);
    const refused = await t.agent.delete(`/api/templates/${tid('builtin/static-site')}`).expect(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    expect(existsSync(path.resolve('stacks-example/static-site/template.json'))).toBe(true);
  });

  it('imports an uploaded Portainer catalogue: imported and skipped counted, names never overwritten', async () => {
    const catalogue = JSON.parse(fixture('portainer-templates-2.0.json')) as unknown;
    const res = await t.agent.post('/api/templates/import').send({ catalogue }).expect(200);
    expect(res.body.imported).toHaveLength(37);
    expect(res.body.skipped).toHaveLength(13);
    expect(res.body.skipped).toContainEqual({
      title: 'Wordpress',
      reason: 'a compose stack from a git repository: needs a git repository, skipped',
    });
    const list = (await t.agent.get('/api/templates').expect(200)).body as TemplateSummary[];
    expect(list.filter((x) => x.source === 'user').map((x) => x.id)).toEqual(
      expect.arrayContaining(['user/nginx', 'user/postgresql', 'user/gitlab-ce']),
    );
    const again = await t.agent.post('/api/templates/import').send({ catalogue }).expect(200);
    expect(again.body.imported).toEqual([]);
    expect(again.body.skipped).toHaveLength(50);
    await t.agent
      .post('/api/templates/import')
      .send({ catalogue: { version: '1' } })
      .expect(400);
    await t.agent.post('/api/templates/import').send({}).expect(400);
  });

  it('a stack from an imported template is a folder compose accepts', async () => {
    const name = `${p}-imported`;
    const res = await t.agent
      .post('/api/stacks/from-template')
      .send({ name, template: 'user/postgresql', values: { POSTGRES_USER: 'u', PORT_5432: 15432 } })
      .expect(201);
    expect(res.body.generated).toEqual(['POSTGRES_PASSWORD']);
    const model = JSON.parse(await compose(name, ['config', '--format', 'json'])) as {
      services: Record<
        string,
        { environment?: Record<string, string>; ports?: Array<{ published: string }> }
      >;
    };
    expect(model.services.postgresql?.ports?.[0]?.published).toBe('15432');
    expect(model.services.postgresql?.environment?.POSTGRES_PASSWORD).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('imports from a URL (redirects followed), with a size cap, and refuses what is not a catalogue', async () => {
    const res = await t.agent
      .post('/api/templates/import')
      .send({ url: `${web.url}/moved` })
      .expect(200);
    expect(res.body.imported.map((x: { id: string }) => x.id)).toEqual([
      'user/adguardhome-sync',
      'user/apprise-api',
      'user/bazarr',
    ]);
    expect(res.body.skipped).toEqual([]);
    const huge = await t.agent
      .post('/api/templates/import')
      .send({ url: `${web.url}/huge.json` })
      .expect(400);
    expect(huge.body.error.message).toMatch(/larger than 4194304 bytes/);
    const html = await t.agent
      .post('/api/templates/import')
      .send({ url: `${web.url}/html` })
      .expect(400);
    expect(html.body.error.message).toMatch(/not JSON/);
    const missing = await t.agent
      .post('/api/templates/import')
      .send({ url: `${web.url}/nope` })
      .expect(400);
    expect(missing.body.error.message).toMatch(/answered 404/);
    const ftp = await t.agent
      .post('/api/templates/import')
      .send({ url: 'ftp://example.com/x.json' })
      .expect(400);
    expect(ftp.body.error.message).toMatch(/url/);
  });

  it('refuses loopback and private addresses unless BERTH_TEMPLATE_IMPORT_PRIVATE allows them', async () => {
    const direct = await strict.agent
      .post('/api/templates/import')
      .send({ url: `${web.url}/technorabilia.json` })
      .expect(400);
    expect(direct.body.error.message).toMatch(/private or loopback address/);
    // A name that resolves to loopback is judged by its address, not its spelling.
    const port = new URL(web.url).port;
    const named = await strict.agent
      .post('/api/templates/import')
      .send({ url: `http://localhost:${port}/technorabilia.json` })
      .expect(400);
    expect(named.body.error.message).toMatch(/private address/);
    for (const host of ['10.1.2.3', '192.168.1.1', '169.254.169.254', '[::1]']) {
      const r = await strict.agent
        .post('/api/templates/import')
        .send({ url: `http://${host}/x.json` })
        .expect(400);
      expect(r.body.error.message, host).toMatch(/private or loopback/);
    }
    const list = (await strict.agent.get('/api/templates').expect(200)).body as TemplateSummary[];
    expect(list.every((x) => x.source === 'builtin')).toBe(true);
  });

  it('needs edit to change templates, read to list them', async () => {
    await t.anon().get('/api/templates').expect(401);
    await t.anon().post('/api/templates/import').send({ catalogue: {} }).expect(401);
  });
});
