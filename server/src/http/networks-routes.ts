import type { NetworkService } from '../resources/network-service.js';
import type { Handlers } from './route.js';

export function networkHandlers(
  networks: NetworkService,
): Handlers<'listNetworks' | 'createNetwork' | 'removeNetwork'> {
  return {
    listNetworks: () => networks.list(),
    createNetwork: ({ body }) => networks.create(body),
    removeNetwork: async ({ params }) => {
      await networks.remove(params.id);
      return { ok: true as const };
    },
  };
}
