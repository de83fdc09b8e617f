import type { JobStore } from '../compose/job-store.js';
import { AppError } from '../errors.js';
import { mayUseStack } from './principal.js';
import type { Handlers } from './route.js';

export function jobHandlers(jobs: JobStore): Handlers<'getJob'> {
  return {
    getJob: ({ params, principal }) => {
      const job = jobs.get(params.id);
      // A job of a stack outside the caller's scope does not exist for them.
      if (!job || !mayUseStack(principal, job.stack))
        throw new AppError('NOT_FOUND', `no job "${params.id}"`);
      return job;
    },
  };
}
