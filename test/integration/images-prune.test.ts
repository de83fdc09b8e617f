import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageSummary, PruneImagesReply } from '../../common/resources.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { engineGate, TEST_IMAGE } from '../helpers/engine.js';
import { startSecondEngine, type SecondEngine } from '../helpers/second-engine.js';

const hasEngine = await engineGate();
const run = promisify(execFile);

// Prune is engine-wide: all of it happens on a private dockerd.
describe.runIf(hasEngine)('images on a second engine: usage, remove, prune dry run = real prune', () => {
  let e: SecondEngine;
  let t: TestBerth;
  const ids: Record<string, string> = {};
  const ctx = mkdtempSync(path.join(tmpdir(), 'res-build-'));

  /** Classic builder (intermediate images with parents), as older setups still make them. */
  async function build(tag: string, lines: string[]): Promise<string> {
    writeFileSync(path.join(ctx, 'Dockerfile'), [`FROM ${TEST_IMAGE}`, ...lines].join('\n') + '\n');
    await run('docker', ['-H', e.host, 'build', '-q', '-t', tag, ctx], {
      env: { ...process.env, DOCKER_BUILDKIT: '0' },
    });
    return e.docker(['image', 'inspect', '-f', '{{.Id}}', tag]);
  }

  beforeAll(async () => {
    e = await startSecondEngine({ tag: 'img' });
    t = await startBerth({ overrides: { engine: e.client() } });
    // app:1 built twice: the first build is left dangling with its intermediate parents.
    const firstApp = await build('res/app:1', ['RUN echo one > /one', 'RUN echo two > /two']);
    await build('res/app:1', ['RUN echo one > /one', 'RUN echo three > /two']);
    // used:1 has a (never started) container; gone:1 has none.
    await build('res/used:1', ['RUN echo used > /u']);
    await e.docker(['create', '--name', 'res-user', 'res/used:1', 'true']);
    await build('res/gone:1', ['RUN echo gone > /g']);
    // A dangling image a stopped container still uses: prune must keep it.
    await build('res/du:1', ['RUN echo du1 > /d']);
    await e.docker(['create', '--name', 'res-du', 'res/du:1', 'true']);
    await build('res/du:1', ['RUN echo du2 > /d']);
    // A second tag on the test image, and a tagged parent whose child stays used.
    await e.docker(['tag', TEST_IMAGE, 'res/alias:1']);
    ids.oldApp = firstApp;
    ids.gone = await e.docker(['image', 'inspect', '-f', '{{.Id}}', 'res/gone:1']);
    ids.base = await e.docker(['image', 'inspect', '-f', '{{.Id}}', TEST_IMAGE]);
  }, 240_000);

  afterAll(async () => {
    await t?.close();
    await e?.stop();
    rmSync(ctx, { recursive: true, force: true });
  });

  it('lists images with the containers using them', async () => {
    const images = (await t.agent.get('/api/images').expect(200)).body as ImageSummary[];
    const used = images.find((i) => i.tags.includes('res/used:1'));
    expect(used?.containers.map((c) => c.name)).toEqual(['res-user']);
    expect(images.find((i) => i.tags.includes('res/gone:1'))?.containers).toEqual([]);
    expect(images.filter((i) => i.dangling).length).toBeGreaterThanOrEqual(2);
  });

  it('refuses to remove an image in use with a 409 naming the container', async () => {
    const id = await e.docker(['image', 'inspect', '-f', '{{.Id}}', 'res/used:1']);
    const res = await t.agent.delete(`/api/images/${id}`).expect(409);
    expect(res.body.error.code).toBe('CONFLICT');
    expect(res.body.error.message).toContain('res-user');
    expect(res.body.error.details.containers[0].name).toBe('res-user');
  });

  for (const mode of ['dangling', 'unused'] as const) {
    it(`prune ${mode}: the dry run lists exactly what the real prune removes`, async () => {
      const dry = (await t.agent.post('/api/images/prune').send({ mode, dryRun: true }).expect(200))
        .body as PruneImagesReply;
      const action = (id: string | undefined) => dry.images.find((i) => i.id === id)?.action;
      if (mode === 'dangling') {
        expect(action(ids.oldApp)).toBe('deleted');
        expect(action(ids.gone)).toBeUndefined();
      } else {
        expect(action(ids.gone)).toBe('deleted');
        // The base image is every build's parent, and a container's image descends from it:
        // the engine removes its tags and keeps it.
        expect(dry.images.find((i) => i.id === ids.base)).toMatchObject({
          action: 'untagged',
          tags: ['berth-test/busybox:latest', 'res/alias:1'],
        });
      }
      const real = (await t.agent.post('/api/images/prune').send({ mode, dryRun: false }).expect(200))
        .body as PruneImagesReply;
      const shape = (r: PruneImagesReply) =>
        r.images.map((i) => ({ id: i.id, tags: i.tags, action: i.action }));
      expect(shape(real)).toEqual(shape(dry));
      const left = await e.docker(['images', '-a', '--format', '{{.ID}}', '--no-trunc']);
      for (const gone of dry.images.filter((i) => i.action === 'deleted'))
        expect(left).not.toContain(gone.id);
      // What a container uses stays, in either mode.
      expect(await e.docker(['image', 'inspect', '-f', '{{.Id}}', 'res/used:1'])).toMatch(/^sha256:/);
      expect(await e.docker(['inspect', '-f', '{{.Image}}', 'res-du'])).toMatch(/^sha256:/);
      expect(left).toContain((await e.docker(['inspect', '-f', '{{.Image}}', 'res-du'])).trim());
    });
  }
});
