import { LOCAL_HOST } from '../lib/stack-ref';
import { call } from './http';

export const hostApi = {
  get: (host = LOCAL_HOST) => call('getHost', { host }),
};
