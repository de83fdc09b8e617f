import type { HostService } from '../stats/host-service.js';
import type { Handlers } from './route.js';

export function hostHandlers(host: HostService): Handlers<'getHost'> {
  return { getHost: () => host.info() };
}
