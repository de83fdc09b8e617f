import { randomUUID } from 'node:crypto';

export type JobState = 'running' | 'succeeded' | 'failed';

export interface Job {
  id: string;
  stack: string;
  action: string;
  state: JobState;
  exitCode: number | null;
  output: string;
  startedAt: string;
  finishedAt: string | null;
}

/** Recent jobs in memory, each output capped in bytes (oldest output dropped first). */
export class JobStore {
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly keep = 200,
    private readonly maxOutputBytes = 512 * 1024,
  ) {}

  create(stack: string, action: string): Job {
    const job: Job = {
      id: randomUUID(),
      stack,
      action,
      state: 'running',
      exitCode: null,
      output: '',
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.jobs.set(job.id, job);
    for (const id of this.jobs.keys()) {
      if (this.jobs.size <= this.keep) break;
      if (this.jobs.get(id)?.state !== 'running') this.jobs.delete(id);
    }
    return job;
  }

  append(job: Job, data: string): void {
    job.output += data;
    if (job.output.length > this.maxOutputBytes) job.output = job.output.slice(-this.maxOutputBytes);
  }

  finish(job: Job, exitCode: number): void {
    job.exitCode = exitCode;
    job.state = exitCode === 0 ? 'succeeded' : 'failed';
    job.finishedAt = new Date().toISOString();
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }
}
