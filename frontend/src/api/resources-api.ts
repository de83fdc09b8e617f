import type { ContainerAction, CreateNetworkRequest, PruneMode } from '../../../common/resources';
import { urlOf } from '../../../common/routes';
import { LOCAL_HOST } from '../lib/stack-ref';
import { call } from './http';

const flag = (on: boolean) => (on ? ('true' as const) : undefined);

export const resourcesApi = {
  images: () => call('listImages'),
  removeImage: (id: string, force: boolean) =>
    call('removeImage', { params: { id }, query: { force: flag(force) } }),
  prune: (mode: PruneMode, dryRun: boolean) => call('pruneImages', { body: { mode, dryRun } }),
  volumes: () => call('listVolumes'),
  volume: (name: string) => call('getVolume', { params: { name } }),
  removeVolume: (name: string) => call('removeVolume', { params: { name } }),
  backups: (name: string) => call('listBackups', { params: { name } }),
  backup: (name: string) => call('backupVolume', { params: { name } }),
  /** A download: the browser fetches it itself (link). */
  backupUrl: (name: string, id: string) => urlOf('downloadBackup', { name, id }),
  deleteBackup: (name: string, id: string) => call('deleteBackup', { params: { name, id } }),
  restore: (name: string, id: string, confirm: boolean) =>
    call('restoreBackup', { params: { name, id }, body: { confirm } }),
  job: (id: string) => call('getVolumeJob', { params: { id } }),
  networks: () => call('listNetworks'),
  createNetwork: (req: Partial<CreateNetworkRequest> & { name: string }) =>
    call('createNetwork', { body: req as CreateNetworkRequest }),
  removeNetwork: (id: string) => call('removeNetwork', { params: { id } }),
  /** A container of a stack's host (default `local`). */
  container: (id: string, reveal: boolean, host = LOCAL_HOST) =>
    call('inspectContainer', { host, params: { id }, query: { reveal: flag(reveal) } }),
  containerAction: (id: string, action: ContainerAction, force = false, host = LOCAL_HOST) => {
    const query = { force: flag(force) };
    if (action === 'kill') return call('killContainer', { host, params: { id }, query });
    if (action === 'remove') return call('removeContainer', { host, params: { id }, query });
    return call('containerAction', { host, params: { id, action }, query });
  },
};
