import { AppError } from '../errors.js';
import type { ResourceJobs } from '../resources/resource-jobs.js';
import type { VolumeService } from '../resources/volume-service.js';
import type { Handlers } from './route.js';

type VolumeOps =
  | 'listVolumes'
  | 'getVolume'
  | 'removeVolume'
  | 'backupVolume'
  | 'listBackups'
  | 'downloadBackup'
  | 'deleteBackup'
  | 'restoreBackup'
  | 'getVolumeJob';

export function volumeHandlers(volumes: VolumeService, jobs: ResourceJobs): Handlers<VolumeOps> {
  return {
    listVolumes: () => volumes.list(),
    getVolume: ({ params }) => volumes.get(params.name),
    removeVolume: async ({ params }) => {
      await volumes.remove(params.name);
      return { ok: true as const };
    },
    backupVolume: async ({ params }) => ({ jobId: (await volumes.backup(params.name)).id }),
    listBackups: ({ params }) => volumes.listBackups(params.name),
    downloadBackup: async ({ params, res }) => {
      const { file, filename } = await volumes.backupFile(params.name, params.id);
      await new Promise<void>((resolve, reject) => {
        res.download(file, filename, { headers: { 'Content-Type': 'application/gzip' } }, (err) =>
          err ? reject(err) : resolve(),
        );
      });
    },
    deleteBackup: async ({ params }) => {
      await volumes.deleteBackup(params.name, params.id);
      return { ok: true as const };
    },
    restoreBackup: async ({ params, body }) => ({
      jobId: (await volumes.restore(params.name, params.id, body.confirm)).id,
    }),
    getVolumeJob: ({ params }) => {
      const job = jobs.get(params.id);
      if (!job) throw new AppError('NOT_FOUND', `no job "${params.id}"`);
      return job;
    },
  };
}
