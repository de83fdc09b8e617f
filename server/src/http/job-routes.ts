import type { JobStore } from '../compose/job-store.js';
import { AppError } from '../errors.js';
import type { Handlers } from './route.js';

export function jobHandlers(jobs: JobStore): Handlers<'getJob'> {
  return {
    getJob: ({ params }) => {
      const job = jobs.get(params.id);
      if (!job) throw new AppError('NOT_FOUND', `no job "${params.id}"`);
      return job;
    },
  };
}
