import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ResourceJob } from '../../common/resources.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { docker, TEST_IMAGE } from '../helpers/engine.js';
import { percentile, round } from './stats.js';

const MB = 1024 * 1024;
const RUNS = Number(process.env.BERTH_BENCH_BACKUP_RUNS ?? 2);

async function waitJob(t: TestBerth, id: string): Promise<ResourceJob> {
  for (;;) {
    const job = (await t.agent.get(`/api/volume-jobs/${id}`).expect(200)).body as ResourceJob;
    if (job.state !== 'running') {
      if (job.state !== 'succeeded') throw new Error(`job failed: ${job.error ?? ''}`);
      return job;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const median = (xs: number[]) => percentile(xs, 50);

/**
 * Backup and restore of a 500 MB volume (400 MB in 4 random files, 100 MB in 2,000 random 50 KB
 * files) through Berth's API against the usual `docker run --rm ... tar` on the same volume.
 * Berth gzips at level 1; the baselines are busybox `tar czf` (gzip -6, what people type) and
 * `tar cf` (no compression: the floor of moving the bytes).
 */
export async function benchVolumeBackup() {
  const vol = `res-bench-${process.pid}`;
  const out = mkdtempSync(path.join(tmpdir(), 'res-bench-'));
  const t = await startBerth();
  try {
    await docker(['volume', 'create', vol]);
    await docker([
      'run',
      '--rm',
      '--network',
      'none',
      '-v',
      `${vol}:/v`,
      TEST_IMAGE,
      'sh',
      '-c',
      'set -e; for i in 1 2 3 4; do dd if=/dev/urandom of=/v/big$i bs=1M count=100 2>/dev/null; done; ' +
        'mkdir /v/small; dd if=/dev/urandom of=/tmp/src bs=1M count=100 2>/dev/null; ' +
        'i=0; while [ $i -lt 2000 ]; do dd if=/tmp/src of=/v/small/f$i bs=50K skip=$i count=1 2>/dev/null; i=$((i+1)); done',
    ]);
    const dockerTar = (args: string[]) =>
      docker([
        'run',
        '--rm',
        '--network',
        'none',
        '-v',
        `${vol}:/v`,
        '-v',
        `${out}:/backup`,
        TEST_IMAGE,
        ...args,
      ]);

    const samples = {
      berthBackup: [] as number[],
      tarCzf: [] as number[],
      tarCf: [] as number[],
      berthRestore: [] as number[],
      tarXzf: [] as number[],
    };
    let backupId = '';
    let tarBytes = 0;
    for (let i = 0; i < RUNS; i++) {
      samples.berthBackup.push(
        await timed(async () => {
          const res = await t.agent.post(`/api/volumes/${vol}/backups`).expect(202);
          const job = await waitJob(t, res.body.jobId as string);
          backupId = job.backupId;
          tarBytes = job.bytes;
        }),
      );
      samples.tarCzf.push(
        await timed(() => dockerTar(['tar', 'czf', '/backup/base.tar.gz', '-C', '/v', '.'])),
      );
      samples.tarCf.push(await timed(() => dockerTar(['tar', 'cf', '/backup/base.tar', '-C', '/v', '.'])));
    }
    const berthFile = path.join(t.config.dataDir, 'backups', vol, `${backupId}.tar.gz`);
    for (let i = 0; i < RUNS; i++) {
      samples.berthRestore.push(
        await timed(async () => {
          const res = await t.agent
            .post(`/api/volumes/${vol}/backups/${backupId}/restore`)
            .send({ confirm: true })
            .expect(202);
          await waitJob(t, res.body.jobId as string);
        }),
      );
      samples.tarXzf.push(
        await timed(() => dockerTar(['sh', '-c', 'rm -rf /v/* && tar xzf /backup/base.tar.gz -C /v'])),
      );
    }
    const mbps = (ms: number) => round(tarBytes / MB / (ms / 1000), 1);
    const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<
      keyof typeof samples,
      number
    >;
    return {
      name: 'volume-backup',
      volumeMB: round(tarBytes / MB, 1),
      runs: RUNS,
      backup: {
        berthMs: round(m.berthBackup, 0),
        berthMBps: mbps(m.berthBackup),
        berthFileMB: round(statSync(berthFile).size / MB, 1),
        baselineTarCzfMs: round(m.tarCzf, 0),
        baselineTarCzfFileMB: round(statSync(path.join(out, 'base.tar.gz')).size / MB, 1),
        baselineTarCfMs: round(m.tarCf, 0),
        ratioToTarCzf: round(m.berthBackup / m.tarCzf),
        ratioToTarCf: round(m.berthBackup / m.tarCf),
      },
      restore: {
        berthMs: round(m.berthRestore, 0),
        berthMBps: mbps(m.berthRestore),
        baselineTarXzfMs: round(m.tarXzf, 0),
        ratioToTarXzf: round(m.berthRestore / m.tarXzf),
      },
      target: 'ratio <= 1.5',
    };
  } finally {
    await t.close();
    await docker(['volume', 'rm', '-f', vol]).catch(() => undefined);
    rmSync(out, { recursive: true, force: true });
  }
}
