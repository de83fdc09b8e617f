import { Router } from 'express';
import { z } from 'zod';
import { ImageId, PruneImagesRequest, RemoveImageQuery } from '../../../common/resources.js';
import type { ImageService } from '../resources/image-service.js';
import { route } from './route.js';

export function imageRoutes(images: ImageService): Router {
  const r = Router();
  r.get(
    '/images',
    route({}, () => images.list()),
  );
  r.delete(
    '/images/:id',
    route({ params: z.object({ id: ImageId }), query: RemoveImageQuery }, ({ params, query }) =>
      images.remove(params.id, query.force),
    ),
  );
  r.post(
    '/images/prune',
    route({ body: PruneImagesRequest }, ({ body }) => images.prune(body.mode, body.dryRun)),
  );
  return r;
}
