import { Router } from 'express';
import { z } from 'zod';
import type { JobStore } from '../compose/job-store.js';
import { AppError } from '../errors.js';
import { route } from './route.js';

export function jobRoutes(jobs: JobStore): Router {
  const r = Router();
  r.get(
    '/jobs/:id',
    route({ params: z.object({ id: z.uuid() }) }, ({ params }) => {
      const job = jobs.get(params.id);
      if (!job) throw new AppError('NOT_FOUND', `no job "${params.id}"`);
      return Promise.resolve(job);
    }),
  );
  return r;
}
