import { Router } from 'express';
import { z } from 'zod';
import { CreateNetworkRequest, NetworkId } from '../../../common/resources.js';
import type { NetworkService } from '../resources/network-service.js';
import { route } from './route.js';

export function networkRoutes(networks: NetworkService): Router {
  const r = Router();
  r.get(
    '/networks',
    route({}, () => networks.list()),
  );
  r.post(
    '/networks',
    route({ body: CreateNetworkRequest, status: 201 }, ({ body }) => networks.create(body)),
  );
  r.delete(
    '/networks/:id',
    route({ params: z.object({ id: NetworkId }) }, async ({ params }) => {
      await networks.remove(params.id);
      return { ok: true };
    }),
  );
  return r;
}
