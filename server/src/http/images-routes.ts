import type { ImageService } from '../resources/image-service.js';
import type { Handlers } from './route.js';

export function imageHandlers(images: ImageService): Handlers<'listImages' | 'removeImage' | 'pruneImages'> {
  return {
    listImages: () => images.list(),
    removeImage: ({ params, query }) => images.remove(params.id, query.force),
    pruneImages: ({ body }) => images.prune(body.mode, body.dryRun),
  };
}
