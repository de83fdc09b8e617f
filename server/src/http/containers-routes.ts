import type { Request } from 'express';
import { Router } from 'express';
import { z } from 'zod';
import {
  ContainerAction,
  ContainerActionQuery,
  ContainerId,
  InspectQuery,
} from '../../../common/resources.js';
import type { ContainerService } from '../resources/container-service.js';
import { route } from './route.js';

/**
 * Whether the caller may read secrets (environment values). Every session may today; the
 * permission check of the operations table (issue 12) replaces this.
 */
export type MayReadSecrets = (req: Request) => boolean;

export function containerRoutes(containers: ContainerService, mayReadSecrets: MayReadSecrets): Router {
  const r = Router();
  r.get(
    '/containers/:id',
    route({ params: z.object({ id: ContainerId }), query: InspectQuery }, ({ params, query, req }) =>
      containers.inspect(params.id, query.reveal && mayReadSecrets(req)),
    ),
  );
  r.post(
    '/containers/:id/:action',
    route(
      { params: z.object({ id: ContainerId, action: ContainerAction }), query: ContainerActionQuery },
      ({ params, query }) => containers.action(params.id, params.action, query.force),
    ),
  );
  return r;
}
