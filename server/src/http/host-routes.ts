import { Router } from 'express';
import type { HostService } from '../stats/host-service.js';
import { route } from './route.js';

export function hostRoutes(host: HostService): Router {
  const r = Router();
  r.get(
    '/host',
    route({}, () => host.info()),
  );
  return r;
}
