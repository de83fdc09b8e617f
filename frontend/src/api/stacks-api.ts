import type { StackAction } from '../../../common/api';
import type { Job } from '../../../common/operations';
import { call } from './http';

export type JobInfo = Pick<Job, 'id' | 'state' | 'exitCode'>;

export const stacksApi = {
  create: (name: string, yaml: string, env?: string) => call('createStack', { body: { name, yaml, env } }),
  action: (name: string, action: StackAction) => call('runAction', { params: { name, action } }),
  remove: (name: string) => call('deleteStack', { params: { name } }),
  job: (id: string): Promise<JobInfo> => call('getJob', { params: { id } }),
  history: (name: string) => call('listHistory', { params: { name } }),
  historyEntry: (name: string, id: string) => call('getHistoryVersion', { params: { name, id } }),
  restore: (name: string, id: string) => call('restoreHistoryVersion', { params: { name, id } }),
  detail: (name: string) => call('getStack', { params: { name } }),
  /** Saves the compose file only (.env is left alone). */
  save: (name: string, yaml: string, etag: string) =>
    call('saveStack', { params: { name }, body: { yaml, etag } }),
  files: (name: string) => call('listStackFiles', { params: { name } }),
  file: (name: string, path: string) => call('getStackFile', { params: { name, file: path } }),
  saveFile: (name: string, path: string, content: string, etag: string) =>
    call('saveStackFile', { params: { name, file: path }, body: { content, etag } }),
  convert: (command: string, into?: string) => call('convert', { body: { command, into } }),
  /** `stack`: its .env and files count; `env`: the .env text being edited, instead of the saved one. */
  validate: async (yaml: string, context: { stack?: string; env?: string } = {}) =>
    (await call('validate', { body: { yaml, ...context } })).problems,
};

export interface WaitOptions {
  /** Slowest poll, for when no wake-up comes. */
  intervalMs?: number;
  /** Registers a callback for "the job may have ended" (its terminal's exit); returns the unsubscribe. */
  wake?: (callback: () => void) => () => void;
}

/**
 * Waits for a job to end: asks at once whenever `wake` fires (the UI passes the action terminal's
 * `terminal:exit`, so the result shows without waiting for a poll), and polls in between.
 */
export async function waitForJob(id: string, options: WaitOptions = {}): Promise<JobInfo> {
  const slow = options.intervalMs ?? 1000;
  let woken = false;
  let wakeUp: (() => void) | null = null;
  // Subscribed for the whole wait, so a wake-up during a request is not missed.
  const off = options.wake?.(() => {
    woken = true;
    wakeUp?.();
  });
  try {
    for (;;) {
      const wokenBefore = woken;
      const job = await stacksApi.job(id);
      if (job.state !== 'running') return job;
      // After a wake-up the job ends within moments (e.g. delete's move to the trash): ask again soon.
      if (woken && !wokenBefore) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, woken ? 50 : slow);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = null;
    }
  } finally {
    off?.();
  }
}
