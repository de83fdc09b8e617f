import { randomUUID } from 'node:crypto';
import type { Job, JobState } from '../../../common/operations.js';

export type { Job, JobState };

export interface JobStoreLimits {
  /** Most jobs kept. */
  keep?: number;
  /** Output kept per job, in UTF-16 code units (the oldest part is dropped first). */
  maxOutputChars?: number;
  /** Output kept over all jobs: finished jobs are forgotten, oldest first, to stay under it. */
  maxTotalChars?: number;
}

/**
 * Recent jobs in memory, bounded in count, per job and in total: 200 jobs of 512 Ki characters
 * could otherwise hold ~200 MB. Memory is about twice the character count (UTF-16).
 */
export class JobStore {
  private readonly jobs = new Map<string, Job>();
  private total = 0;
  private readonly keep: number;
  private readonly maxOutput: number;
  private readonly maxTotal: number;

  constructor(limits: JobStoreLimits = {}) {
    this.keep = limits.keep ?? 200;
    this.maxOutput = limits.maxOutputChars ?? 512 * 1024;
    this.maxTotal = limits.maxTotalChars ?? 8 * 1024 * 1024;
  }

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
    this.evict();
    return job;
  }

  append(job: Job, data: string): void {
    const before = job.output.length;
    job.output += data;
    if (job.output.length > this.maxOutput) job.output = job.output.slice(-this.maxOutput);
    this.total += job.output.length - before;
    if (this.total > this.maxTotal) this.evict();
  }

  finish(job: Job, exitCode: number): void {
    job.exitCode = exitCode;
    job.state = exitCode === 0 ? 'succeeded' : 'failed';
    job.finishedAt = new Date().toISOString();
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Characters of output held over all jobs. */
  get heldChars(): number {
    return this.total;
  }

  /** Forgets finished jobs, oldest first, while over the count or the total; running ones stay. */
  private evict(): void {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= this.keep && this.total <= this.maxTotal) return;
      if (job.state === 'running') continue;
      this.jobs.delete(id);
      this.total -= job.output.length;
    }
  }
}
