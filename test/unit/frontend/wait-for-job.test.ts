import { afterEach, describe, expect, it, vi } from 'vitest';
import { stacksApi, waitForJob, type JobInfo } from '../../../frontend/src/api/stacks-api.js';

const job = (state: JobInfo['state']): JobInfo => ({
  id: 'j1',
  state,
  exitCode: state === 'running' ? null : 0,
});

/** A wake source the test fires by hand, like the page's terminal:exit listener. */
function wakeSource() {
  const callbacks = new Set<() => void>();
  return {
    wake: (cb: () => void) => {
      callbacks.add(cb);
      return () => callbacks.delete(cb);
    },
    fire: () => callbacks.forEach((cb) => cb()),
    get listeners() {
      return callbacks.size;
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('waitForJob', () => {
  it('asks again at once when woken instead of waiting for the slow poll', async () => {
    vi.useFakeTimers();
    const states: JobInfo['state'][] = ['running', 'succeeded'];
    const calls = vi
      .spyOn(stacksApi, 'job')
      .mockImplementation(() => Promise.resolve(job(states.shift() ?? 'succeeded')));
    const src = wakeSource();
    const done = waitForJob('local', 'j1', { intervalMs: 60_000, wake: src.wake });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveBeenCalledTimes(1);
    src.fire();
    await vi.advanceTimersByTimeAsync(0);
    await expect(done).resolves.toMatchObject({ state: 'succeeded' });
    expect(calls).toHaveBeenCalledTimes(2);
    expect(src.listeners).toBe(0);
  });

  it('does not miss a wake-up that comes while a request is in flight', async () => {
    vi.useFakeTimers();
    const src = wakeSource();
    let n = 0;
    const calls = vi.spyOn(stacksApi, 'job').mockImplementation(() => {
      n += 1;
      // The exit arrives while the first answer (still running) is on its way.
      if (n === 1) src.fire();
      return Promise.resolve(job(n === 1 ? 'running' : 'succeeded'));
    });
    const done = waitForJob('local', 'j1', { intervalMs: 60_000, wake: src.wake });
    await vi.advanceTimersByTimeAsync(0);
    await expect(done).resolves.toMatchObject({ state: 'succeeded' });
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('falls back to polling when no wake-up comes', async () => {
    vi.useFakeTimers();
    const states: JobInfo['state'][] = ['running', 'running', 'failed'];
    const calls = vi
      .spyOn(stacksApi, 'job')
      .mockImplementation(() => Promise.resolve(job(states.shift() ?? 'failed')));
    const done = waitForJob('local', 'j1', { intervalMs: 1000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1001);
    await expect(done).resolves.toMatchObject({ state: 'failed' });
    expect(calls).toHaveBeenCalledTimes(3);
  });
});
