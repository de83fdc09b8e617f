import { createServer, type IncomingMessage, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageCheck, UpdateHistoryEntry } from '../../common/updates.js';
import { silentLogger } from '../../server/src/logger.js';
import { DockerConfigCredentials } from '../../server/src/updates/docker-credentials.js';
import { parseImageRef } from '../../server/src/updates/image-ref.js';
import { RegistryClient } from '../../server/src/updates/registry-client.js';
import { startBerth, waitForJob, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate, TEST_IMAGE } from '../helpers/engine.js';
import { TestRegistry } from '../helpers/registry.js';
import { buildVersion, pushAs, removeImages } from '../helpers/update-images.js';

const hasEngine = await engineGate();
const pid = process.pid;
const prefix = `upd-${pid}`;

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

describe.runIf(hasEngine)('image updates against real registries and the real engine', () => {
  let t: TestBerth;
  let reg: TestRegistry;
  let authReg: TestRegistry;
  let receiver: Server;
  let receiverUrl = '';
  const received: Received[] = [];
  const localImages: string[] = [];
  const stacks: string[] = [];
  const ids: Record<string, string> = {};

  const app = () => `${reg.host}/${prefix}/app:latest`;
  const appDirect = () => `${reg.direct}/${prefix}/app:latest`;

  async function build(name: string, version: string, exits = false): Promise<string> {
    const tag = `${prefix}-build:${name}`;
    localImages.push(tag);
    ids[name] = await buildVersion(tag, version, exits);
    return tag;
  }

  async function check(stack?: string): Promise<ImageCheck[]> {
    const res = await t.agent
      .post('/api/updates/check')
      .send(stack ? { stack } : {})
      .expect(202);
    await expect
      .poll(async () => (await t.agent.get(`/api/updates/checks/${res.body.jobId}`).expect(200)).body.state, {
        timeout: 30_000,
      })
      .toBe('succeeded');
    const all = (await t.agent.get('/api/updates').expect(200)).body as ImageCheck[];
    return all.filter((c) => !stack || c.stack === stack);
  }

  const byService = (list: ImageCheck[], service: string) => list.find((c) => c.service === service);

  async function deploy(name: string, yaml: string, files: Record<string, string> = {}): Promise<void> {
    stacks.push(name);
    await t.agent.post('/api/stacks').send({ name, yaml }).expect(201);
    for (const [file, text] of Object.entries(files))
      writeFileSync(path.join(t.config.stacksDir, name, file), text);
    const job = await waitForJob(
      t.agent,
      (await t.agent.post(`/api/stacks/${name}/up`).expect(202)).body.jobId,
      120_000,
    );
    expect(job.output).toContain('[up done]');
  }

  async function imageOf(stack: string, service: string): Promise<string> {
    const id = await docker(['compose', '-p', stack, 'ps', '-q', service]);
    return docker(['inspect', '--format', '{{.Image}}', id]);
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    reg = await new TestRegistry({ bearer: true }).start();
    authReg = await new TestRegistry({ basicAuth: { user: 'upd', password: 'upd-secret-1' } }).start();
    t = await startBerth({
      config: { updateIntervalMs: 0, updateHealthTimeoutMs: 60_000 },
      overrides: {
        updateSettleMs: 1500,
        credentials: new DockerConfigCredentials({ DOCKER_CONFIG: authReg.dockerConfig }),
      },
    });
    await build('v1', 'v1');
    await build('v2', 'v2');
    await build('v3', 'v3', true);
    await build('side', 'side');
  });

  afterAll(async () => {
    for (const s of stacks) {
      await docker(
        ['compose', '-p', s, 'down', '--remove-orphans', '--timeout', '1'],
        t.config.stacksDir,
      ).catch(() => '');
    }
    await t?.close();
    receiver?.close();
    const pushed = [reg, authReg]
      .filter(Boolean)
      .flatMap((r) =>
        [r.host, r.direct].flatMap((h) => [
          `${h}/${prefix}/app`,
          `${h}/${prefix}/side`,
          `${h}/${prefix}/multi`,
          `${h}/${prefix}/priv`,
        ]),
      );
    const tagged = (await docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n');
    await removeImages([
      ...tagged.filter((t) => pushed.some((p) => t.startsWith(`${p}:`))),
      ...localImages,
      ...Object.values(ids),
    ]);
    await reg?.stop();
    await authReg?.stop();
  });

  const stack = `${prefix}-app`;

  it('v1 deployed: a check makes one HEAD per image (no manifest GET) and says up to date', async () => {
    await pushAs(`${prefix}-build:v1`, appDirect());
    const sideDigest = await pushAs(`${prefix}-build:side`, `${reg.direct}/${prefix}/side:latest`);
    await deploy(
      stack,
      [
        'services:',
        '  web:',
        `    image: ${app()}`,
        '    stop_grace_period: 1s',
        '  side:',
        `    image: ${reg.host}/${prefix}/side:latest`,
        '    stop_grace_period: 1s',
        '  pinned:',
        `    image: ${reg.host}/${prefix}/side@${sideDigest}`,
        '    stop_grace_period: 1s',
        '',
      ].join('\n'),
    );
    reg.requests.length = 0;
    const checks = await check(stack);
    expect(byService(checks, 'web')).toMatchObject({ status: 'up-to-date', policy: 'notify' });
    expect(byService(checks, 'web')?.currentDigest).toBe(byService(checks, 'web')?.latestDigest);
    expect(byService(checks, 'side')).toMatchObject({ status: 'up-to-date' });
    expect(byService(checks, 'pinned')).toMatchObject({
      status: 'not-checked',
      reason: 'pinned by digest in the compose file',
    });
    // Two images to check: two HEADs, plus the /v2/ ping and token requests; not one manifest GET.
    expect(reg.count('HEAD', /\/manifests\//)).toBe(2);
    expect(reg.count('GET', /\/manifests\//)).toBe(0);
    expect(
      reg.requests.every((r) => r.method === 'HEAD' || r.path === '/v2/' || r.path.startsWith('/token')),
    ).toBe(true);
    // Tokens are cached: a second check is exactly two HEADs.
    reg.requests.length = 0;
    await check(stack);
    expect(reg.requests.map((r) => r.method)).toEqual(['HEAD', 'HEAD']);
    const summary = (await t.agent.get('/api/stacks').expect(200)).body.find(
      (s: { name: string }) => s.name === stack,
    );
    expect(summary.updates).toBe(0);
  });

  it('v2 pushed under the same tag: update-available within one check, counted on the stack, notified', async () => {
    await t.agent
      .put('/api/settings/notifications')
      .send({
        urls: [`http://${receiverUrl}/hook`, `ntfy://${receiverUrl}/berth-topic`],
        onUpdateAvailable: true,
        onUpdateFailed: true,
      })
      .expect(200);
    const v2 = await pushAs(`${prefix}-build:v2`, appDirect());
    const checks = await check(stack);
    expect(byService(checks, 'web')).toMatchObject({ status: 'update-available', latestDigest: v2 });
    expect(byService(checks, 'side')?.status).toBe('up-to-date');
    const summary = (await t.agent.get('/api/stacks').expect(200)).body.find(
      (s: { name: string }) => s.name === stack,
    );
    expect(summary.updates).toBe(1);
    await expect.poll(() => received.length).toBeGreaterThanOrEqual(2);
    const hook = received.find((r) => r.path === '/hook');
    expect(JSON.parse(hook?.body ?? '{}')).toMatchObject({ event: 'update-available', source: 'berth' });
    expect(hook?.body).toContain(`${stack}/web`);
    const ntfy = received.find((r) => r.path === '/berth-topic');
    expect(ntfy?.headers.title).toMatch(/1 image update/);
    expect(ntfy?.body).toContain(`${stack}/web`);
  });

  it('update: pulls, recreates web on v2, history says updated with both digests', async () => {
    const before = (await check(stack)).find((c) => c.service === 'web');
    const res = await t.agent.post(`/api/stacks/${stack}/update`).expect(202);
    const job = await waitForJob(t.agent, res.body.jobId, 120_000);
    expect(job.state).toBe('succeeded');
    expect(job.output).toMatch(/\[update done: updated web [0-9a-f]{12} → [0-9a-f]{12}\]/);
    expect(await imageOf(stack, 'web')).toBe(ids.v2);
    const history = (await t.agent.get(`/api/stacks/${stack}/updates/history`).expect(200))
      .body as UpdateHistoryEntry[];
    expect(history[0]).toMatchObject({
      result: 'updated',
      actor: 'admin',
      jobId: res.body.jobId,
      changes: [{ service: 'web', fromDigest: before?.currentDigest, toDigest: before?.latestDigest }],
    });
    expect(history[0]?.fileHistoryId).toMatch(/^\d{8}T/);
    expect(history[0]?.output).toContain('pull');
    expect(history[0]?.output).toMatch(/\[update done: updated web .*\]\S*\r\n$/);
    // The compose file and .env as they were are in the stack's file history.
    const files = (await t.agent.get(`/api/stacks/${stack}/history`).expect(200)).body as { id: string }[];
    expect(files.map((f) => f.id)).toContain(history[0]?.fileHistoryId);
    await expect.poll(async () => byService(await check(stack), 'web')?.status).toBe('up-to-date');
  });

  it('v3 exits at start: the update rolls back to v2 by digest, the stack runs, history says why', async () => {
    const yamlBefore = (await t.agent.get(`/api/stacks/${stack}`).expect(200)).body.yaml as string;
    received.length = 0;
    await pushAs(`${prefix}-build:v3`, appDirect());
    const res = await t.agent.post(`/api/stacks/${stack}/update`).expect(202);
    const job = await waitForJob(t.agent, res.body.jobId, 180_000);
    expect(job.state).toBe('failed');
    expect(job.output).toContain('v3 cannot start: missing config');
    expect(job.output).toMatch(/-f compose\.yaml -f \S+rollback\S+\.yaml up -d --no-deps web/);
    expect(job.output).toMatch(
      /\[update failed, exit code 1: rolled-back: web: the container exited with code 3\]/,
    );
    expect(await imageOf(stack, 'web')).toBe(ids.v2);
    await expect
      .poll(async () => (await t.agent.get(`/api/stacks/${stack}`).expect(200)).body.status, {
        timeout: 20_000,
      })
      .toBe('running');
    // The compose file was never rewritten.
    expect((await t.agent.get(`/api/stacks/${stack}`).expect(200)).body.yaml).toBe(yamlBefore);
    const history = (await t.agent.get(`/api/stacks/${stack}/updates/history`).expect(200))
      .body as UpdateHistoryEntry[];
    expect(history[0]).toMatchObject({ result: 'rolled-back' });
    expect(history[0]?.reason).toContain('exited with code 3');
    expect(history.map((h) => h.result)).toEqual(['rolled-back', 'updated']);
    await expect.poll(() => received.some((r) => r.body.includes('update-rolled-back'))).toBe(true);
    // The tag still points at v3, so the service still has an update (running v2 by digest).
    expect(byService(await check(stack), 'web')).toMatchObject({ status: 'update-available' });
  });

  it('basic auth from the Docker config: checked with the credentials, refused without', async () => {
    const priv = `${authReg.direct}/${prefix}/priv:1.0.0`;
    await pushAs(`${prefix}-build:v1`, priv, authReg.dockerConfig);
    // Tags for berth.update.tags: only 1.x.y, newer than 1.0.0.
    await pushAs(`${prefix}-build:v2`, `${authReg.direct}/${prefix}/priv:1.2.0`, authReg.dockerConfig);
    await pushAs(`${prefix}-build:v2`, `${authReg.direct}/${prefix}/priv:2.0.0-rc1`, authReg.dockerConfig);
    const name = `${prefix}-priv`;
    await deploy(
      name,
      [
        'services:',
        '  web:',
        `    image: ${priv}`,
        '    labels:',
        `      berth.update.tags: '^1\\.\\d+\\.\\d+$'`,
        '',
      ].join('\n'),
    );
    const checks = await check(name);
    expect(byService(checks, 'web')).toMatchObject({ status: 'up-to-date', newerTags: ['1.2.0'] });
    const summary = (await t.agent.get('/api/stacks').expect(200)).body.find(
      (s: { name: string }) => s.name === name,
    );
    expect(summary.updates).toBe(1);
    const anonymous = new RegistryClient({
      credentials: { get: () => Promise.resolve(null) },
      log: silentLogger(),
    });
    const ref = parseImageRef(priv);
    if (!ref) throw new Error('unreadable reference');
    await expect(anonymous.head(ref, '1.0.0')).rejects.toMatchObject({ kind: 'unauthorized' });
  });

  it('policy off and build: are not checked, with the reason', async () => {
    const name = `${prefix}-pol`;
    await deploy(
      name,
      [
        'services:',
        '  quiet:',
        `    image: ${app()}`,
        '    stop_grace_period: 1s',
        '    labels: ["berth.update=off"]',
        '  built:',
        '    build: .',
        `    image: ${prefix}-built:local`,
        '    stop_grace_period: 1s',
        '',
      ].join('\n'),
      { Dockerfile: `FROM ${TEST_IMAGE}\nCMD ["sleep", "600"]\n` },
    );
    localImages.push(`${prefix}-built:local`);
    const checks = await check(name);
    expect(byService(checks, 'built')).toMatchObject({
      status: 'not-checked',
      reason: 'built locally (build:), no registry to compare with',
    });
    expect(byService(checks, 'quiet')).toMatchObject({
      status: 'not-checked',
      reason: 'berth.update: off',
      policy: 'off',
    });
  });

  it('multi-arch index: no update when only another platform changed, an update when ours did', async () => {
    const repo = `${prefix}/multi`;
    const amdA = await pushAs(`${prefix}-build:v1`, `${reg.direct}/${repo}:amd64-a`);
    const amdB = await pushAs(`${prefix}-build:v2`, `${reg.direct}/${repo}:amd64-b`);
    const amd = await reg.getManifest(repo, amdA);
    const amdManifestB = await reg.getManifest(repo, amdB);
    const V2 = 'application/vnd.docker.distribution.manifest.v2+json';
    const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
    // An arm64 image made of the same layers and an arm64 config; `marker` makes versions differ.
    const arm = async (marker: string) => {
      const cfgDigest = (amd.body.config as { digest: string }).digest;
      const cfg = (await (await reg.api('GET', `/v2/${repo}/blobs/${cfgDigest}`)).json()) as Record<
        string,
        unknown
      >;
      const data = Buffer.from(
        JSON.stringify({ ...cfg, architecture: 'arm64', variant: 'v8', comment: marker }),
      );
      const digest = await reg.putBlob(repo, data);
      const manifest = {
        ...amd.body,
        config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: data.length, digest },
      };
      return reg.putManifest(repo, `arm64-${marker}`, V2, manifest);
    };
    const index = (amdM: { digest: string; size: number }, armM: { digest: string; size: number }) =>
      reg.putManifest(repo, 'latest', OCI_INDEX, {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          {
            mediaType: V2,
            digest: amdM.digest,
            size: amdM.size,
            platform: { architecture: 'amd64', os: 'linux' },
          },
          {
            mediaType: V2,
            digest: armM.digest,
            size: armM.size,
            platform: { architecture: 'arm64', os: 'linux', variant: 'v8' },
          },
        ],
      });
    const i1 = await index(amd, await arm('one'));
    const name = `${prefix}-multi`;
    await deploy(
      name,
      ['services:', '  web:', `    image: ${reg.host}/${repo}:latest`, '    stop_grace_period: 1s', ''].join(
        '\n',
      ),
    );
    reg.requests.length = 0;
    expect(byService(await check(name), 'web')).toMatchObject({
      status: 'up-to-date',
      currentDigest: i1.digest,
    });
    expect(reg.count('GET', /\/manifests\//)).toBe(0);

    const i2 = await index(amd, await arm('two'));
    reg.requests.length = 0;
    const onlyArm = byService(await check(name), 'web');
    expect(onlyArm).toMatchObject({ status: 'up-to-date', latestDigest: i2.digest });
    expect(onlyArm?.reason).toContain('other platforms only');
    // The rule's price: the new index and our platform's manifest, read once each...
    expect(reg.count('GET', /\/manifests\//)).toBe(2);
    reg.requests.length = 0;
    await check(name);
    // ...and never again for the same digests.
    expect(reg.count('GET', /\/manifests\//)).toBe(0);
    expect(reg.count('HEAD', /\/manifests\//)).toBe(1);

    await index(amdManifestB, await arm('two'));
    expect(byService(await check(name), 'web')).toMatchObject({ status: 'update-available' });
  });

  it('notification settings: validated, stored, and the test route reaches ntfy, Gotify and webhook receivers', async () => {
    await t.agent
      .put('/api/settings/notifications')
      .send({ urls: ['ftp://x'], onUpdateAvailable: true, onUpdateFailed: true })
      .expect(400);
    const urls = [
      `http://${receiverUrl}/hook`,
      `ntfy://${receiverUrl}/topic`,
      `gotify://${receiverUrl}/gtoken`,
      `json://${receiverUrl}/apprise`,
    ];
    await t.agent
      .put('/api/settings/notifications')
      .send({ urls, onUpdateAvailable: false, onUpdateFailed: true })
      .expect(200);
    expect((await t.agent.get('/api/settings/notifications').expect(200)).body).toEqual({
      urls,
      onUpdateAvailable: false,
      onUpdateFailed: true,
    });
    received.length = 0;
    const res = await t.agent.post('/api/settings/notifications/test').send({}).expect(200);
    expect(res.body).toEqual(urls.map((url) => ({ url, ok: true })));
    const gotify = received.find((r) => r.path === '/message');
    expect(gotify?.headers['x-gotify-key']).toBe('gtoken');
    expect(JSON.parse(gotify?.body ?? '{}')).toMatchObject({ title: 'Berth: test notification' });
    expect(JSON.parse(received.find((r) => r.path === '/apprise')?.body ?? '{}')).toMatchObject({
      version: '1.0',
      type: 'info',
    });
    expect(received.find((r) => r.path === '/topic')?.body).toContain('Notifications from Berth');
    const bad = await t.agent
      .post('/api/settings/notifications/test')
      .send({ urls: ['http://127.0.0.1:1/x'] })
      .expect(200);
    expect(bad.body[0]).toMatchObject({ ok: false });
  });

  it('429 from the registry: "rate limited until ..." and no request until then', async () => {
    reg.rateLimit(1, 600);
    reg.requests.length = 0;
    const checks = await check(stack);
    const web = byService(checks, 'web');
    expect(web?.status).toBe('error');
    expect(web?.reason).toMatch(/^rate limited until \d{4}-\d\d-\d\dT/);
    expect(byService(checks, 'side')?.reason).toMatch(/^rate limited until/);
    expect(reg.count('HEAD', /\/manifests\//)).toBe(1);
    reg.requests.length = 0;
    expect(byService(await check(stack), 'web')?.reason).toMatch(/^rate limited until/);
    expect(reg.requests).toEqual([]);
  });

  it('check of an unknown stack is a 404; a check job id that does not exist is a 404', async () => {
    expect((await t.agent.post('/api/updates/check').send({ stack: 'no-such-stack' })).status).toBe(404);
    await t.agent.get('/api/updates/checks/00000000-0000-4000-8000-000000000000').expect(404);
    await t.anon().get('/api/updates').expect(401);
    // No body at all checks every stack, as `{}` does.
    const all = await t.agent.post('/api/updates/check').expect(202);
    await expect
      .poll(async () => (await t.agent.get(`/api/updates/checks/${all.body.jobId}`)).body.stack, {
        timeout: 1000,
      })
      .toBeNull();
  });
});
