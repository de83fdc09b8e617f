import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResourceJob } from '../../common/resources.js';
import { startBerth, type TestAgent, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate, TEST_IMAGE } from '../helpers/engine.js';
import { connect, sessionCookie, type ClientSocket } from '../helpers/socket.js';

const hasEngine = await engineGate();

const P = `res-${process.pid}`;
const VOL = `${P}-data`;
const REF = `${P}-ref`;
const USER = `${P}-user`;

/** Every entry of a volume: path, mode, owner, type, size of files, target of links. */
const LISTING =
  'cd /v && find . | sort | while read -r f; do ' +
  'if [ -L "$f" ]; then echo "$f link $(readlink "$f") $(stat -c "%u:%g" "$f")"; ' +
  'else echo "$f $(stat -c "%a %u:%g %F %s" "$f")"; fi; done';

async function sh(volumes: string[], script: string): Promise<string> {
  const args = ['run', '--rm', '--network', 'none'];
  for (const v of volumes) args.push('-v', v);
  return docker([...args, TEST_IMAGE, 'sh', '-c', script]);
}

async function waitJob(agent: TestAgent, id: string): Promise<ResourceJob> {
  let job: ResourceJob | undefined;
  await expect
    .poll(
      async () => {
        job = (await agent.get(`/api/volume-jobs/${id}`).expect(200)).body as ResourceJob;
        return job.state;
      },
      { timeout: 120_000, interval: 100 },
    )
    .not.toBe('running');
  return job as ResourceJob;
}

describe.runIf(hasEngine)('volume backup and restore (real engine)', () => {
  let t: TestBerth;
  let socket: ClientSocket;
  const events: ResourceJob[] = [];

  beforeAll(async () => {
    t = await startBerth();
    socket = connect(t.url, { Cookie: await sessionCookie(t) });
    socket.on('volume:job', (job) => events.push(job));
    await docker(['volume', 'create', VOL]);
    await docker(['volume', 'create', REF]);
    await sh(
      [`${VOL}:/v`],
      'set -e; dd if=/dev/urandom of=/v/big.bin bs=1M count=50 2>/dev/null; ' +
        'echo secret > /v/a.txt; chmod 640 /v/a.txt; chown 1234:5678 /v/a.txt; ' +
        'mkdir -p /v/d/e; echo deep > /v/d/e/f; chmod 700 /v/d; chown 42:43 /v/d; chmod 4755 /v/d/e/f; ' +
        'ln -s a.txt /v/link; ln -s /nowhere /v/dangling; chown -h 7:8 /v/link; ' +
        'echo dot > /v/.hidden; touch /v/empty; chmod 000 /v/empty; chmod 1777 /v',
    );
    // A byte-for-byte reference copy to compare with after the restore.
    await sh([`${VOL}:/v:ro`, `${REF}:/ref`], 'cp -a /v/. /ref/');
    await docker([
      'run',
      '-d',
      '--name',
      USER,
      '--network',
      'none',
      '-v',
      `${VOL}:/data`,
      TEST_IMAGE,
      'sleep',
      '3600',
    ]);
  }, 180_000);

  afterAll(async () => {
    socket?.disconnect();
    await docker(['rm', '-f', USER]).catch(() => undefined);
    await docker(['volume', 'rm', '-f', VOL, REF]).catch(() => undefined);
    await t?.close();
  });

  it('lists the volume with the container using it, and its size on demand', async () => {
    const list = (await t.agent.get('/api/volumes').expect(200)).body as {
      name: string;
      users: { name: string }[];
    }[];
    expect(list.find((v) => v.name === VOL)?.users.map((u) => u.name)).toEqual([USER]);
    const detail = await t.agent.get(`/api/volumes/${VOL}`).expect(200);
    expect(detail.body.size).toBeGreaterThan(50 * 1024 * 1024);
  });

  it('refuses to remove a volume in use, naming the container', async () => {
    const res = await t.agent.delete(`/api/volumes/${VOL}`).expect(409);
    expect(res.body.error.message).toContain(USER);
  });

  it('backs up, is emptied, restores byte for byte with owners, modes and links', async () => {
    const before = await sh([`${VOL}:/v:ro`], LISTING);
    expect(before).toContain('./link link a.txt 7:8');
    expect(before).toContain('./a.txt 640 1234:5678 regular file 7');

    const started = await t.agent.post(`/api/volumes/${VOL}/backups`).expect(202);
    const job = await waitJob(t.agent, started.body.jobId as string);
    expect(job).toMatchObject({ state: 'succeeded', kind: 'backup', error: null });
    expect(job.bytes).toBeGreaterThan(50 * 1024 * 1024);
    // Progress came live over the socket before the end.
    await expect.poll(() => events.some((e) => e.id === job.id && e.state === 'succeeded')).toBe(true);
    expect(events.some((e) => e.id === job.id && e.state === 'running' && e.bytes > 0)).toBe(true);

    const backups = (await t.agent.get(`/api/volumes/${VOL}/backups`).expect(200)).body as {
      id: string;
      size: number;
    }[];
    expect(backups.map((b) => b.id)).toEqual([job.backupId]);
    const file = path.join(t.config.dataDir, 'backups', VOL, `${job.backupId}.tar.gz`);
    const download = await t.agent
      .get(`/api/volumes/${VOL}/backups/${job.backupId}`)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200)
      .expect('content-type', /gzip/);
    expect((download.body as Buffer).equals(readFileSync(file))).toBe(true);

    // Emptied, and something that must not survive the restore.
    await sh([`${VOL}:/v`], 'rm -rf /v/* /v/.hidden; echo stray > /v/stray; chmod 755 /v');
    expect(await sh([`${VOL}:/v:ro`], 'ls -A /v')).toBe('stray');

    const refused = await t.agent
      .post(`/api/volumes/${VOL}/backups/${job.backupId}/restore`)
      .send({})
      .expect(409);
    expect(refused.body.error.message).toContain(USER);
    const startedAt = await docker(['inspect', '-f', '{{.State.StartedAt}}', USER]);

    const r = await t.agent
      .post(`/api/volumes/${VOL}/backups/${job.backupId}/restore`)
      .send({ confirm: true })
      .expect(202);
    const restored = await waitJob(t.agent, r.body.jobId as string);
    expect(restored).toMatchObject({ state: 'succeeded', kind: 'restore', error: null });
    expect(restored.doneBytes).toBe(restored.totalBytes);

    expect(await sh([`${VOL}:/v:ro`], LISTING)).toBe(before);
    // cmp: every regular file equal to the reference copy, byte for byte.
    expect(
      await sh(
        [`${VOL}:/v:ro`, `${REF}:/ref:ro`],
        'cd /v && find . -type f | sort | while read -r f; do cmp "$f" "/ref/$f" && echo "same $f"; done',
      ),
    ).toBe(['./.hidden', './a.txt', './big.bin', './d/e/f', './empty'].map((f) => `same ${f}`).join('\n'));
    // The container using it was stopped and started again.
    expect(await docker(['inspect', '-f', '{{.State.Running}}', USER])).toBe('true');
    expect(await docker(['inspect', '-f', '{{.State.StartedAt}}', USER])).not.toBe(startedAt);
  }, 300_000);

  it('deletes a backup', async () => {
    const [b] = (await t.agent.get(`/api/volumes/${VOL}/backups`).expect(200)).body as { id: string }[];
    await t.agent.delete(`/api/volumes/${VOL}/backups/${b?.id}`).expect(200);
    expect((await t.agent.get(`/api/volumes/${VOL}/backups`).expect(200)).body).toEqual([]);
    await t.agent.get(`/api/volumes/${VOL}/backups/${b?.id}`).expect(404);
  });

  it('leaves no helper container behind', async () => {
    expect(
      await docker(['ps', '-a', '--filter', 'label=berth.helper', '--filter', `volume=${VOL}`, '-q']),
    ).toBe('');
  });
});
