import type { HostInfo } from '../../../common/stats';
import { http } from './http';

export const hostApi = {
  get: () => http.get<HostInfo>('/api/host'),
};
