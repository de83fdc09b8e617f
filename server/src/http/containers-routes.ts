import { allows } from '../../../common/permissions.js';
import type { ContainerService } from '../resources/container-service.js';
import type { Handlers } from './route.js';

type ContainerOps = 'inspectContainer' | 'containerAction' | 'killContainer' | 'removeContainer';

export function containerHandlers(containers: ContainerService): Handlers<ContainerOps> {
  return {
    // Environment values are secrets: shown only to those who may edit (the rest see them masked).
    inspectContainer: ({ params, query, principal }) =>
      containers.inspect(params.id, query.reveal && allows(principal?.permissions ?? [], 'edit')),
    containerAction: ({ params, query }) => containers.action(params.id, params.action, query.force),
    killContainer: ({ params, query }) => containers.action(params.id, 'kill', query.force),
    removeContainer: ({ params, query }) => containers.action(params.id, 'remove', query.force),
  };
}
