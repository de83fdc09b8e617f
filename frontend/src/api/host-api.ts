import { call } from './http';

export const hostApi = {
  get: () => call('getHost'),
};
