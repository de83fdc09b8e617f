import { Router } from 'express';
import type { HealthService } from '../engine/health-service.js';
import { route } from './route.js';

export function healthRoutes(health: HealthService): Router {
  const r = Router();
  r.get(
    '/health',
    route({}, () => health.check()),
  );
  return r;
}
