import type { StackAction } from '../../../common/api';
import type { Job } from '../../../common/operations';
import { LOCAL_HOST, type StackRef } from '../lib/stack-ref';
import { call } from './http';

export type JobInfo = Pick<Job, 'id' | 'state' | 'exitCode'>;

/** Operations on a stack take its StackRef: `call()` sends them to the stack's host. */
export const stacksApi = {
  create: (host: string, name: string, yaml: string, env?: string) =>
    call('createStack', { host, body: { name, yaml, env } }),
  action: (s: StackRef, action: StackAction) =>
    call('runAction', { host: s.host, params: { name: s.name, action } }),
  remove: (s: StackRef) => call('deleteStack', { host: s.host, params: { name: s.name } }),
  job: (host: string, id: string): Promise<JobInfo> => call('getJob', { host, params: { id } }),
  history: (s: StackRef) => call('listHistory', { host: s.host, params: { name: s.name } }),
  historyEntry: (s: StackRef, id: string) =>
    call('getHistoryVersion', { host: s.host, params: { name: s.name, id } }),
  restore: (s: StackRef, id: string) =>
    call('restoreHistoryVersion', { host: s.host, params: { name: s.name, id } }),
  detail: (s: StackRef) => call('getStack', { host: s.host, params: { name: s.name } }),
  /** Saves the compose file only (.env is left alone). */
  save: (s: StackRef, yaml: string, etag: string) =>
    call('saveStack', { host: s.host, params: { name: s.name }, body: { yaml, etag } }),
  files: (s: StackRef) => call('listStackFiles', { host: s.host, params: { name: s.name } }),
  file: (s: StackRef, path: string) =>
    call('getStackFile', { host: s.host, params: { name: s.name, file: path } }),
  saveFile: (s: StackRef, path: string, content: string, etag: string) =>
    call('saveStackFile', { host: s.host, params: { name: s.name, file: path }, body: { content, etag } }),
  convert: (command: string, into?: string) => call('convert', { body: { command, into } }),
  /**
   * `stack`: its .env and files count; `env`: the .env text being edited, instead of the saved
   * one. Asked of `host`, whose compose judges the text (default `local`).
   */
  validate: async (yaml: string, context: { stack?: string; env?: string } = {}, host = LOCAL_HOST) =>
    (await call('validate', { host, body: { yaml, ...context } })).problems,
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
export async function waitForJob(host: string, id: string, options: WaitOptions = {}): Promise<JobInfo> {
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
      const job = await stacksApi.job(host, id);
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
