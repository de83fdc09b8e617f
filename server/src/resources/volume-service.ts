import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants as zlibConstants, createGunzip, createGzip } from 'node:zlib';
import type { BackupSummary, ResourceJob, VolumeDetail, VolumeSummary } from '../../../common/resources.js';
import type { EngineClient, EngineContainerBrief, EngineVolume } from '../engine/engine-client.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { containerRef, engineCall, HELPER_LABEL, PROJECT_LABEL } from './engine-errors.js';
import type { ResourceJobs } from './resource-jobs.js';

const BACKUP_FILE = /^(\d{8}T\d{9}Z(?:-\d+)?)\.tar\.gz$/;
const MOUNT = '/v';
// Deletes everything under /v, dotfiles included; unmatched globs stay literal and rm -f skips them.
const EMPTY_CMD = ['sh', '-c', 'rm -rf /v/* /v/.[!.]* /v/..?*'];
const RUNNING = new Set(['running', 'restarting', 'paused']);

/** Counts bytes passing through. */
class Counter extends Transform {
  bytes = 0;
  constructor(private readonly onBytes: (n: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    this.onBytes(this.bytes);
    cb(null, chunk);
  }
}

export interface VolumeServiceDeps {
  engine: EngineClient;
  jobs: ResourceJobs;
  /** `<data dir>/backups` */
  backupsDir: string;
  /** Names of the stacks that have a folder now (orphans are projects without one). */
  stackNames: () => ReadonlySet<string>;
  log: Logger;
  /** gzip level of backups: 1 (fast) unless told; backups are mostly bound by the disk. */
  gzipLevel?: number;
}

/** Volumes: usage, size, removal; backups to `<data>/backups/<volume>/<id>.tar.gz` and restores. */
export class VolumeService {
  private readonly busy = new Set<string>();

  constructor(private readonly deps: VolumeServiceDeps) {}

  private users(volume: string, containers: EngineContainerBrief[]): EngineContainerBrief[] {
    return containers.filter(
      (c) => !(HELPER_LABEL in c.labels) && c.mounts.some((m) => m.type === 'volume' && m.name === volume),
    );
  }

  private summary(
    v: EngineVolume,
    containers: EngineContainerBrief[],
    stacks: ReadonlySet<string>,
  ): VolumeSummary {
    const stack = v.labels[PROJECT_LABEL] ?? null;
    return {
      name: v.name,
      driver: v.driver,
      mountpoint: v.mountpoint,
      created: v.created,
      stack,
      orphan: stack !== null && !stacks.has(stack),
      users: this.users(v.name, containers).map(containerRef),
      labels: v.labels,
    };
  }

  async list(): Promise<VolumeSummary[]> {
    const [volumes, containers] = await engineCall(() =>
      Promise.all([this.deps.engine.listVolumes(), this.deps.engine.listContainers()]),
    );
    const stacks = this.deps.stackNames();
    return volumes
      .map((v) => this.summary(v, containers, stacks))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private async find(name: string): Promise<{ volume: EngineVolume; containers: EngineContainerBrief[] }> {
    const [volumes, containers] = await engineCall(() =>
      Promise.all([this.deps.engine.listVolumes(), this.deps.engine.listContainers()]),
    );
    const volume = volumes.find((v) => v.name === name);
    if (!volume) throw new AppError('NOT_FOUND', `no volume "${name}"`);
    return { volume, containers };
  }

  /** With its size as the engine counts it (`system df`, which walks every volume: on demand only). */
  async get(name: string): Promise<VolumeDetail> {
    const { volume, containers } = await this.find(name);
    const df = await engineCall(() => this.deps.engine.diskUsage());
    const size = df.volumes.get(name);
    return {
      ...this.summary(volume, containers, this.deps.stackNames()),
      size: size === undefined || size < 0 ? null : size,
    };
  }

  /** Only unused volumes: refused (409, naming them) while any container, even stopped, has it. */
  async remove(name: string): Promise<void> {
    const { containers } = await this.find(name);
    const users = this.users(name, containers);
    if (users.length > 0) {
      throw new AppError(
        'CONFLICT',
        `volume "${name}" is used by container ${users.map((c) => c.name).join(', ')}`,
        {
          containers: users.map(containerRef),
        },
      );
    }
    this.claim(name);
    try {
      await engineCall(() => this.deps.engine.removeVolume(name));
    } finally {
      this.busy.delete(name);
    }
    this.deps.log.info({ volume: name }, 'volume removed');
  }

  private claim(name: string): void {
    if (this.busy.has(name))
      throw new AppError('CONFLICT', `volume "${name}" is busy with a backup or restore`);
    this.busy.add(name);
  }

  private dirOf(volume: string): string {
    // Volume names are checked by the caller's schema (no "/", never "." or ".."); stay inside anyway.
    const dir = path.join(this.deps.backupsDir, volume);
    if (path.dirname(dir) !== path.resolve(this.deps.backupsDir))
      throw new AppError('BAD_REQUEST', 'bad volume name');
    return dir;
  }

  /** Images to build a helper from, best first: those of the volume's users, then the smallest. */
  private async helperImages(users: EngineContainerBrief[]): Promise<string[]> {
    const images = await engineCall(() => this.deps.engine.listImages(false));
    const known = new Set(images.map((i) => i.id));
    const fromUsers = users.map((c) => c.imageId).filter((id) => known.has(id));
    const rest = [...images].sort((a, b) => a.size - b.size).map((i) => i.id);
    const out = [...new Set([...fromUsers, ...rest])];
    if (out.length === 0) {
      throw new AppError('CONFLICT', 'no image is present on this host to create the helper container from');
    }
    return out;
  }

  private labels(kind: string): Record<string, string> {
    return { [HELPER_LABEL]: kind };
  }

  async listBackups(volume: string): Promise<BackupSummary[]> {
    const dir = this.dirOf(volume);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return [];
    }
    const out: BackupSummary[] = [];
    for (const file of names) {
      const id = BACKUP_FILE.exec(file)?.[1];
      if (!id) continue;
      const st = await stat(path.join(dir, file)).catch(() => null);
      if (!st?.isFile()) continue;
      out.push({ id, volume, size: st.size, createdAt: st.mtime.toISOString() });
    }
    return out.sort((a, b) => b.id.localeCompare(a.id));
  }

  /** The file of one backup, for a download. */
  async backupFile(volume: string, id: string): Promise<{ file: string; filename: string }> {
    const file = path.join(this.dirOf(volume), `${id}.tar.gz`);
    const st = await stat(file).catch(() => null);
    if (!st?.isFile() || !BACKUP_FILE.test(path.basename(file))) {
      throw new AppError('NOT_FOUND', `no backup "${id}" of volume "${volume}"`);
    }
    return { file, filename: `${volume}-${id}.tar.gz` };
  }

  async deleteBackup(volume: string, id: string): Promise<void> {
    const { file } = await this.backupFile(volume, id);
    await unlink(file);
    this.deps.log.info({ volume, backup: id }, 'backup deleted');
  }

  private async newBackupId(dir: string): Promise<string> {
    const base = new Date().toISOString().replace(/[-:.]/g, '');
    for (let n = 0; ; n++) {
      const id = n === 0 ? base : `${base}-${n}`;
      if (!(await stat(path.join(dir, `${id}.tar.gz`)).catch(() => null))) return id;
    }
  }

  /** Starts a backup job: the volume's tar (through a created, never started helper) gzipped to disk. */
  async backup(volume: string): Promise<ResourceJob> {
    const { containers } = await this.find(volume);
    const dir = this.dirOf(volume);
    await mkdir(dir, { recursive: true });
    this.claim(volume);
    try {
      const images = await this.helperImages(this.users(volume, containers));
      const id = await this.newBackupId(dir);
      const job = this.deps.jobs.create('backup', volume, id);
      void this.runBackup(job, dir, images[0] as string).finally(() => this.busy.delete(volume));
      return job;
    } catch (err) {
      this.busy.delete(volume);
      throw err;
    }
  }

  private async runBackup(job: ResourceJob, dir: string, image: string): Promise<void> {
    const { engine, jobs, log } = this.deps;
    const final = path.join(dir, `${job.backupId}.tar.gz`);
    const tmp = path.join(dir, `.${job.backupId}.tar.gz.part`);
    let helper: string | undefined;
    try {
      helper = await engine.createHelper({
        image,
        volume: job.volume,
        mountPath: MOUNT,
        readOnly: true,
        labels: this.labels('backup'),
      });
      jobs.phase(job, 'copying');
      const tar = await engine.getArchive(helper, MOUNT);
      const counter = new Counter((bytes) => jobs.progress(job, { bytes }));
      const level = this.deps.gzipLevel ?? zlibConstants.Z_BEST_SPEED;
      await pipeline(
        tar,
        counter,
        createGzip({ level }),
        createWriteStream(tmp, { flags: 'wx', mode: 0o600 }),
      );
      const fh = await open(tmp, 'r');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, final);
      const dh = await open(dir, 'r');
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
      job.bytes = counter.bytes;
      log.info({ volume: job.volume, backup: job.backupId, tarBytes: counter.bytes }, 'volume backed up');
      jobs.finish(job);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      log.warn({ err, volume: job.volume }, 'backup failed');
      jobs.finish(job, (err as Error).message);
    } finally {
      if (helper) await engine.removeContainer(helper).catch(() => undefined);
    }
  }

  /**
   * Starts a restore job: the running containers using the volume are stopped (only with
   * `confirm`), the volume is emptied, the backup's tar is extracted into it (owners, modes and
   * links as saved), and the stopped containers are started again, also when the restore failed.
   */
  async restore(volume: string, id: string, confirm: boolean): Promise<ResourceJob> {
    const { file } = await this.backupFile(volume, id);
    const { containers } = await this.find(volume);
    const users = this.users(volume, containers);
    const running = users.filter((c) => RUNNING.has(c.state));
    if (running.length > 0 && !confirm) {
      throw new AppError(
        'CONFLICT',
        `restoring stops container ${running.map((c) => c.name).join(', ')} and starts it again: confirm first`,
        { containers: running.map(containerRef), confirmRequired: true },
      );
    }
    this.claim(volume);
    try {
      const images = await this.helperImages(users);
      const total = (await stat(file)).size;
      const job = this.deps.jobs.create('restore', volume, id);
      this.deps.jobs.progress(job, { totalBytes: total, doneBytes: 0 });
      void this.runRestore(job, file, images, running).finally(() => this.busy.delete(volume));
      return job;
    } catch (err) {
      this.busy.delete(volume);
      throw err;
    }
  }

  /** A helper with the volume writable that has emptied it: the first image whose `sh` can. */
  private async emptyingHelper(volume: string, images: string[]): Promise<string> {
    const { engine, log } = this.deps;
    let last: unknown;
    for (const image of images.slice(0, 5)) {
      const helper = await engine.createHelper({
        image,
        volume,
        mountPath: MOUNT,
        readOnly: false,
        cmd: EMPTY_CMD,
        labels: this.labels('restore'),
      });
      try {
        const code = await engine.runToExit(helper);
        if (code === 0) return helper;
        last = new Error(`emptying the volume failed (exit code ${code})`);
      } catch (err) {
        last = err; // no sh in this image: try the next one
      }
      log.debug({ image, err: last }, 'helper image cannot empty the volume');
      await engine.removeContainer(helper).catch(() => undefined);
    }
    throw new Error(
      `no local image could empty the volume (it needs sh and rm): ${(last as Error | undefined)?.message ?? ''}`,
    );
  }

  private async runRestore(
    job: ResourceJob,
    file: string,
    images: string[],
    running: EngineContainerBrief[],
  ): Promise<void> {
    const { engine, jobs, log } = this.deps;
    let helper: string | undefined;
    const stopped: EngineContainerBrief[] = [];
    let failure: string | undefined;
    try {
      jobs.phase(job, 'stopping');
      for (const c of running) {
        await engine.containerAction(c.id, 'stop', false);
        stopped.push(c);
      }
      jobs.phase(job, 'emptying');
      helper = await this.emptyingHelper(job.volume, images);
      jobs.phase(job, 'copying');
      const read = new Counter((doneBytes) => jobs.progress(job, { doneBytes }));
      const sent = new Counter((bytes) => jobs.progress(job, { bytes }));
      const source = createReadStream(file);
      const gunzip = createGunzip();
      const tar = source.pipe(read).pipe(gunzip).pipe(sent);
      // pipe() forwards no errors: a broken gzip must fail the upload, not hang it.
      const failed = new Promise<never>((_, reject) => {
        for (const s of [source, read, gunzip, sent] as NodeJS.EventEmitter[]) {
          s.on('error', (err: Error) => {
            sent.destroy(err);
            reject(err);
          });
        }
      });
      failed.catch(() => undefined);
      // Entries are `v/...`: extracted at / they land in the volume, its root's mode and owner included.
      await Promise.race([engine.putArchive(helper, '/', tar), failed]);
      log.info({ volume: job.volume, backup: job.backupId, tarBytes: sent.bytes }, 'volume restored');
    } catch (err) {
      failure = (err as Error).message;
      log.warn({ err, volume: job.volume, backup: job.backupId }, 'restore failed');
    } finally {
      if (helper) await engine.removeContainer(helper).catch(() => undefined);
    }
    jobs.phase(job, 'starting');
    for (const c of stopped) {
      try {
        await engine.containerAction(c.id, 'start', false);
      } catch (err) {
        failure ??= `the volume was restored but container ${c.name} did not start: ${(err as Error).message}`;
      }
    }
    jobs.finish(job, failure);
  }
}
