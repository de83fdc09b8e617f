import type { ContainerAction, CreateNetworkRequest, PruneMode } from '../../../common/resources';
import { LOCAL_HOST } from '../lib/stack-ref';
import { call, hostedUrlOf } from './http';

const flag = (on: boolean) => (on ? ('true' as const) : undefined);

/** Images, volumes, networks and containers of one host's engine (another host's via the hub). */
export function resourcesOn(host: string) {
  return {
    images: () => call('listImages', { host }),
    removeImage: (id: string, force: boolean) =>
      call('removeImage', { host, params: { id }, query: { force: flag(force) } }),
    prune: (mode: PruneMode, dryRun: boolean) => call('pruneImages', { host, body: { mode, dryRun } }),
    volumes: () => call('listVolumes', { host }),
    volume: (name: string) => call('getVolume', { host, params: { name } }),
    removeVolume: (name: string) => call('removeVolume', { host, params: { name } }),
    backups: (name: string) => call('listBackups', { host, params: { name } }),
    backup: (name: string) => call('backupVolume', { host, params: { name } }),
    /** A download: the browser fetches it itself (link). */
    backupUrl: (name: string, id: string) => hostedUrlOf('downloadBackup', host, { name, id }),
    deleteBackup: (name: string, id: string) => call('deleteBackup', { host, params: { name, id } }),
    restore: (name: string, id: string, confirm: boolean) =>
      call('restoreBackup', { host, params: { name, id }, body: { confirm } }),
    job: (id: string) => call('getVolumeJob', { host, params: { id } }),
    networks: () => call('listNetworks', { host }),
    createNetwork: (req: Partial<CreateNetworkRequest> & { name: string }) =>
      call('createNetwork', { host, body: req as CreateNetworkRequest }),
    removeNetwork: (id: string) => call('removeNetwork', { host, params: { id } }),
    container: (id: string, reveal: boolean) =>
      call('inspectContainer', { host, params: { id }, query: { reveal: flag(reveal) } }),
    containerAction: (id: string, action: ContainerAction, force = false) => {
      const query = { force: flag(force) };
      if (action === 'kill') return call('killContainer', { host, params: { id }, query });
      if (action === 'remove') return call('removeContainer', { host, params: { id }, query });
      return call('containerAction', { host, params: { id, action }, query });
    },
  };
}

/** The local host's. */
export const resourcesApi = resourcesOn(LOCAL_HOST);
