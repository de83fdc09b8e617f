import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { ResourceJob } from '../../../common/resources.js';
import { silentLogger } from '../../../server/src/logger.js';
import { ContainerService } from '../../../server/src/resources/container-service.js';
import { ImageService } from '../../../server/src/resources/image-service.js';
import { ResourceJobs } from '../../../server/src/resources/resource-jobs.js';
import { VolumeService } from '../../../server/src/resources/volume-service.js';
import { tempDir } from '../../helpers/factories.js';
import { container, FakeEngine } from '../../helpers/fake-engine.js';

const log = silentLogger();
const brief = (over: Partial<FakeEngine['briefs'][number]> = {}): FakeEngine['briefs'][number] => ({
  id: 'c1',
  name: 'web-1',
  image: 'img',
  imageId: 'sha256:aaa',
  project: 'web',
  service: 'app',
  state: 'running',
  labels: {},
  mounts: [{ type: 'volume', name: 'data', destination: '/data' }],
  networks: [],
  ...over,
});

const dirs: { cleanup: () => void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});

function volumes(engine: FakeEngine, stacks: string[] = []) {
  const tmp = tempDir('res-unit-');
  dirs.push(tmp);
  const jobs = new ResourceJobs(100, 0);
  const seen: ResourceJob[] = [];
  jobs.onUpdate((j) => seen.push(j));
  const service = new VolumeService({
    engine,
    jobs,
    backupsDir: path.join(tmp.dir, 'backups'),
    stackNames: () => new Set(stacks),
    log,
  });
  return { service, jobs, seen, dir: tmp.dir };
}

async function settle(jobs: ResourceJobs, id: string): Promise<ResourceJob> {
  await expect.poll(() => jobs.get(id)?.state).not.toBe('running');
  return jobs.get(id) as ResourceJob;
}

describe('VolumeService', () => {
  it('lists users, owning stack and orphans', async () => {
    const engine = new FakeEngine();
    engine.volumes = [
      {
        name: 'data',
        driver: 'local',
        mountpoint: '/x',
        created: null,
        labels: { 'com.docker.compose.project': 'web' },
      },
      {
        name: 'old_db',
        driver: 'local',
        mountpoint: '/y',
        created: null,
        labels: { 'com.docker.compose.project': 'old' },
      },
    ];
    engine.briefs = [brief(), brief({ id: 'h', name: 'helper', labels: { 'berth.helper': 'backup' } })];
    const list = await volumes(engine, ['web']).service.list();
    expect(list.map((v) => [v.name, v.stack, v.orphan, v.users.map((u) => u.name)])).toEqual([
      ['data', 'web', false, ['web-1']],
      ['old_db', 'old', true, []],
    ]);
  });

  it('refuses to remove a volume in use, naming the container', async () => {
    const engine = new FakeEngine();
    engine.volumes = [{ name: 'data', driver: 'local', mountpoint: '/x', created: null, labels: {} }];
    engine.briefs = [brief({ state: 'exited' })];
    await expect(volumes(engine).service.remove('data')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('web-1'),
    });
    engine.briefs = [];
    await volumes(engine).service.remove('data');
    expect(engine.volumes).toEqual([]);
  });

  it('backs up to <volume>/<id>.tar.gz through a helper, then removes the helper; restore needs confirm', async () => {
    const engine = new FakeEngine();
    engine.images = [{ id: 'sha256:aaa', parentId: '', tags: ['img:1'], digests: [], size: 5, created: 0 }];
    engine.volumes = [{ name: 'data', driver: 'local', mountpoint: '/x', created: null, labels: {} }];
    engine.briefs = [brief()];
    engine.archives.set('data', Buffer.from('tar bytes'));
    const { service, jobs, seen, dir } = volumes(engine);

    const job = await service.backup('data');
    await expect(service.backup('data')).rejects.toMatchObject({ code: 'CONFLICT' });
    const done = await settle(jobs, job.id);
    expect(done).toMatchObject({ state: 'succeeded', bytes: 9 });
    const file = path.join(dir, 'backups', 'data', `${job.backupId}.tar.gz`);
    expect(gunzipSync(await import('node:fs').then((fs) => fs.readFileSync(file))).toString()).toBe(
      'tar bytes',
    );
    expect(readdirSync(path.dirname(file))).toEqual([`${job.backupId}.tar.gz`]);
    expect([...engine.helpers.values()]).toEqual([]);
    expect(seen.filter((j) => j.id === job.id).map((j) => j.state)).toContain('succeeded');
    expect((await service.listBackups('data')).map((b) => b.id)).toEqual([job.backupId]);

    await expect(service.restore('data', job.backupId, false)).rejects.toMatchObject({
      code: 'CONFLICT',
      details: { confirmRequired: true },
    });
    engine.archives.set('data', Buffer.from('changed'));
    const r = await service.restore('data', job.backupId, true);
    expect(await settle(jobs, r.id)).toMatchObject({ state: 'succeeded', error: null });
    expect(engine.archives.get('data')?.toString()).toBe('tar bytes');
    expect(engine.actions).toEqual([
      { id: 'c1', action: 'stop' },
      { id: 'c1', action: 'start' },
    ]);

    await service.deleteBackup('data', job.backupId);
    expect(existsSync(file)).toBe(false);
    await expect(service.backupFile('data', job.backupId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a backup without a local image or of a missing volume', async () => {
    const engine = new FakeEngine();
    engine.images = [];
    engine.volumes = [{ name: 'data', driver: 'local', mountpoint: '/x', created: null, labels: {} }];
    const { service } = volumes(engine);
    await expect(service.backup('data')).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('no image'),
    });
    await expect(service.backup('missing')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('ImageService and ContainerService', () => {
  it('refuses to remove an image in use with a conflict naming the container, unless forced', async () => {
    const engine = new FakeEngine();
    engine.images = [
      { id: 'sha256:aaa111222333', parentId: '', tags: ['img:1'], digests: [], size: 5, created: 0 },
    ];
    engine.briefs = [brief({ imageId: 'sha256:aaa111222333' })];
    const images = new ImageService(engine, log);
    expect((await images.list())[0]).toMatchObject({ stacks: ['web'], containers: [{ name: 'web-1' }] });
    await expect(images.remove('aaa111222333', false)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('web-1'),
    });
    expect(await images.remove('aaa111222333', true)).toEqual({
      untagged: ['img:1'],
      deleted: ['sha256:aaa111222333'],
    });
  });

  it('masks the environment unless the caller may read secrets', async () => {
    const engine = new FakeEngine([container({ id: 'c9' })]);
    const containers = new ContainerService(engine, log);
    const masked = await containers.inspect('c9', false);
    expect(masked.envMasked).toBe(true);
    expect(masked.env.every((e) => e.value === null)).toBe(true);
    expect((await containers.inspect('c9', true)).env).toContainEqual({ name: 'PASSWORD', value: 'hunter2' });
    await expect(containers.action('c9', 'remove', false)).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await containers.action('c9', 'stop', false)).toEqual({
      id: 'c9',
      action: 'stop',
      state: 'exited',
    });
    await expect(containers.inspect('nope', true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('ResourceJobs', () => {
  it('passes progress on at most once per interval, state changes at once', async () => {
    const jobs = new ResourceJobs(10, 10_000);
    const seen: number[] = [];
    jobs.onUpdate((j) => seen.push(j.bytes));
    const job = jobs.create('backup', 'v', 'id');
    for (let i = 1; i <= 100; i++) jobs.progress(job, { bytes: i });
    jobs.finish(job);
    expect(seen).toEqual([0, 100]);
  });
});
