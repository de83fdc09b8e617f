import { Router } from 'express';
import { z } from 'zod';
import { BackupId, ResourceJobId, RestoreRequest, VolumeName } from '../../../common/resources.js';
import { AppError } from '../errors.js';
import type { ResourceJobs } from '../resources/resource-jobs.js';
import type { VolumeService } from '../resources/volume-service.js';
import { route } from './route.js';

const NameParams = z.object({ name: VolumeName });
const BackupParams = z.object({ name: VolumeName, id: BackupId });

export function volumeRoutes(volumes: VolumeService, jobs: ResourceJobs): Router {
  const r = Router();
  r.get(
    '/volumes',
    route({}, () => volumes.list()),
  );
  r.get(
    '/volumes/:name',
    route({ params: NameParams }, ({ params }) => volumes.get(params.name)),
  );
  r.delete(
    '/volumes/:name',
    route({ params: NameParams }, async ({ params }) => {
      await volumes.remove(params.name);
      return { ok: true };
    }),
  );
  r.post(
    '/volumes/:name/backups',
    route({ params: NameParams, status: 202 }, async ({ params }) => ({
      jobId: (await volumes.backup(params.name)).id,
    })),
  );
  r.get(
    '/volumes/:name/backups',
    route({ params: NameParams }, ({ params }) => volumes.listBackups(params.name)),
  );
  r.get(
    '/volumes/:name/backups/:id',
    route({ params: BackupParams }, async ({ params, res }) => {
      const { file, filename } = await volumes.backupFile(params.name, params.id);
      await new Promise<void>((resolve, reject) => {
        res.download(file, filename, { headers: { 'Content-Type': 'application/gzip' } }, (err) =>
          err ? reject(err) : resolve(),
        );
      });
    }),
  );
  r.delete(
    '/volumes/:name/backups/:id',
    route({ params: BackupParams }, async ({ params }) => {
      await volumes.deleteBackup(params.name, params.id);
      return { ok: true };
    }),
  );
  r.post(
    '/volumes/:name/backups/:id/restore',
    route({ params: BackupParams, body: RestoreRequest, status: 202 }, async ({ params, body }) => ({
      jobId: (await volumes.restore(params.name, params.id, body.confirm)).id,
    })),
  );
  r.get(
    '/volume-jobs/:id',
    route({ params: z.object({ id: ResourceJobId }) }, ({ params }) => {
      const job = jobs.get(params.id);
      if (!job) throw new AppError('NOT_FOUND', `no job "${params.id}"`);
      return Promise.resolve(job);
    }),
  );
  return r;
}
