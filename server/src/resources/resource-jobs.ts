import { randomUUID } from 'node:crypto';
import type { ResourceJob } from '../../../common/resources.js';

type Listener = (job: ResourceJob) => void;

/**
 * Backup and restore jobs in memory. Progress reaches listeners at most every `intervalMs` per
 * job (bytes move much faster than a browser wants to hear about), state changes at once.
 */
export class ResourceJobs {
  private readonly jobs = new Map<string, ResourceJob>();
  private readonly listeners = new Set<Listener>();
  private readonly lastSent = new Map<string, number>();
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly keep = 100,
    private readonly intervalMs = 200,
  ) {}

  onUpdate(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  create(kind: ResourceJob['kind'], volume: string, backupId: string): ResourceJob {
    const job: ResourceJob = {
      id: randomUUID(),
      kind,
      volume,
      backupId,
      state: 'running',
      phase: 'starting',
      bytes: 0,
      totalBytes: null,
      doneBytes: null,
      error: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    };
    this.jobs.set(job.id, job);
    for (const id of this.jobs.keys()) {
      if (this.jobs.size <= this.keep) break;
      if (this.jobs.get(id)?.state !== 'running') this.jobs.delete(id);
    }
    this.emitNow(job);
    return job;
  }

  get(id: string): ResourceJob | undefined {
    return this.jobs.get(id);
  }

  phase(job: ResourceJob, phase: string): void {
    job.phase = phase;
    this.emitNow(job);
  }

  progress(job: ResourceJob, change: Partial<Pick<ResourceJob, 'bytes' | 'doneBytes' | 'totalBytes'>>): void {
    Object.assign(job, change);
    const since = Date.now() - (this.lastSent.get(job.id) ?? 0);
    if (since >= this.intervalMs) this.emitNow(job);
    else if (!this.pending.has(job.id)) {
      this.pending.set(
        job.id,
        setTimeout(() => this.emitNow(job), this.intervalMs - since),
      );
    }
  }

  finish(job: ResourceJob, error?: string): void {
    job.state = error === undefined ? 'succeeded' : 'failed';
    job.phase = 'done';
    job.error = error ?? null;
    job.finishedAt = new Date().toISOString();
    this.emitNow(job);
    this.lastSent.delete(job.id);
  }

  private emitNow(job: ResourceJob): void {
    const t = this.pending.get(job.id);
    if (t) clearTimeout(t);
    this.pending.delete(job.id);
    if (job.state === 'running') this.lastSent.set(job.id, Date.now());
    for (const l of this.listeners) l({ ...job });
  }
}
