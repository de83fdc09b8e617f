import { describe, expect, it } from 'vitest';
import { JobStore } from '../../server/src/compose/job-store.js';

describe('JobStore', () => {
  it('keeps each output under its cap, newest part kept', () => {
    const jobs = new JobStore({ maxOutputChars: 10 });
    const job = jobs.create('a', 'up');
    jobs.append(job, '0123456789abc');
    expect(job.output).toBe('3456789abc');
    expect(jobs.heldChars).toBe(10);
  });

  it('stays under the total by forgetting finished jobs, oldest first, never running ones', () => {
    const jobs = new JobStore({ maxOutputChars: 100, maxTotalChars: 250 });
    const old = jobs.create('a', 'up');
    jobs.append(old, 'x'.repeat(100));
    jobs.finish(old, 0);
    const running = jobs.create('b', 'up');
    jobs.append(running, 'y'.repeat(100));
    const mid = jobs.create('c', 'up');
    jobs.append(mid, 'z'.repeat(100));
    jobs.finish(mid, 0);
    expect(jobs.get(old.id)).toBeUndefined();
    expect(jobs.get(running.id)).toBeDefined();
    expect(jobs.get(mid.id)).toBeDefined();
    expect(jobs.heldChars).toBe(200);
  });

  it('keeps at most `keep` jobs', () => {
    const jobs = new JobStore({ keep: 2 });
    const ids = [1, 2, 3].map(() => {
      const j = jobs.create('s', 'up');
      jobs.finish(j, 0);
      return j.id;
    });
    jobs.create('s', 'up');
    expect(ids.map((id) => jobs.get(id) !== undefined)).toEqual([false, false, true]);
  });
});
