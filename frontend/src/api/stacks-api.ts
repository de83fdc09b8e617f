import type { ActionResponse, ConvertResponse, SaveStackResponse, StackAction } from '../../../common/api';
import type { HistoryEntry, Problem, StackDetail } from '../../../common/stack';
import type { SaveStackFileResponse, StackFileContent, StackFileList } from '../../../common/stack-files';
import { http } from './http';

const base = (name: string) => `/api/stacks/${encodeURIComponent(name)}`;

export interface JobInfo {
  id: string;
  state: 'running' | 'succeeded' | 'failed';
  exitCode: number | null;
}

export const stacksApi = {
  create: (name: string, yaml: string, env?: string) =>
    http.post<StackDetail>('/api/stacks', { name, yaml, env }),
  action: (name: string, action: StackAction) => http.post<ActionResponse>(`${base(name)}/${action}`),
  remove: (name: string) => http.delete<{ jobId: string }>(base(name)),
  job: (id: string) => http.get<JobInfo>(`/api/jobs/${id}`),
  history: (name: string) => http.get<HistoryEntry[]>(`${base(name)}/history`),
  historyEntry: (name: string, id: string) =>
    http.get<{ yaml: string; env: string | null; savedAt: string }>(`${base(name)}/history/${id}`),
  restore: (name: string, id: string) => http.post<{ etag: string }>(`${base(name)}/history/${id}/restore`),
  detail: (name: string) => http.get<StackDetail>(base(name)),
  /** Saves the compose file only (.env is left alone). */
  save: (name: string, yaml: string, etag: string) => http.put<SaveStackResponse>(base(name), { yaml, etag }),
  files: (name: string) => http.get<StackFileList>(`${base(name)}/files`),
  file: (name: string, path: string) =>
    http.get<StackFileContent>(`${base(name)}/files/${encodeURIComponent(path)}`),
  saveFile: (name: string, path: string, content: string, etag: string) =>
    http.put<SaveStackFileResponse>(`${base(name)}/files/${encodeURIComponent(path)}`, { content, etag }),
  convert: (command: string, into?: string) => http.post<ConvertResponse>('/api/convert', { command, into }),
  /** `stack`: its .env and files count; `env`: the .env text being edited, instead of the saved one. */
  validate: async (yaml: string, context: { stack?: string; env?: string } = {}) =>
    (await http.post<{ problems: Problem[] }>('/api/validate', { yaml, ...context })).problems,
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
