import type {
  BackupSummary,
  ContainerAction,
  ContainerActionReply,
  ContainerDetail,
  CreateNetworkRequest,
  ImageSummary,
  JobAccepted,
  NetworkList,
  NetworkSummary,
  PruneImagesReply,
  PruneMode,
  RemoveImageReply,
  ResourceJob,
  VolumeDetail,
  VolumeSummary,
} from '../../../common/resources';
import { http } from './http';

const enc = encodeURIComponent;

export const resourcesApi = {
  images: () => http.get<ImageSummary[]>('/api/images'),
  removeImage: (id: string, force: boolean) =>
    http.delete<RemoveImageReply>(`/api/images/${enc(id)}${force ? '?force=true' : ''}`),
  prune: (mode: PruneMode, dryRun: boolean) =>
    http.post<PruneImagesReply>('/api/images/prune', { mode, dryRun }),
  volumes: () => http.get<VolumeSummary[]>('/api/volumes'),
  volume: (name: string) => http.get<VolumeDetail>(`/api/volumes/${enc(name)}`),
  removeVolume: (name: string) => http.delete<{ ok: true }>(`/api/volumes/${enc(name)}`),
  backups: (name: string) => http.get<BackupSummary[]>(`/api/volumes/${enc(name)}/backups`),
  backup: (name: string) => http.post<JobAccepted>(`/api/volumes/${enc(name)}/backups`),
  backupUrl: (name: string, id: string) => `/api/volumes/${enc(name)}/backups/${enc(id)}`,
  deleteBackup: (name: string, id: string) =>
    http.delete<{ ok: true }>(`/api/volumes/${enc(name)}/backups/${enc(id)}`),
  restore: (name: string, id: string, confirm: boolean) =>
    http.post<JobAccepted>(`/api/volumes/${enc(name)}/backups/${enc(id)}/restore`, { confirm }),
  job: (id: string) => http.get<ResourceJob>(`/api/volume-jobs/${enc(id)}`),
  networks: () => http.get<NetworkList>('/api/networks'),
  createNetwork: (req: Partial<CreateNetworkRequest> & { name: string }) =>
    http.post<NetworkSummary>('/api/networks', req),
  removeNetwork: (id: string) => http.delete<{ ok: true }>(`/api/networks/${enc(id)}`),
  container: (id: string, reveal: boolean) =>
    http.get<ContainerDetail>(`/api/containers/${enc(id)}${reveal ? '?reveal=true' : ''}`),
  containerAction: (id: string, action: ContainerAction, force = false) =>
    http.post<ContainerActionReply>(`/api/containers/${enc(id)}/${action}${force ? '?force=true' : ''}`),
};
