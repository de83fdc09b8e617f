import type { ActionResponse, StackAction } from '../../../common/api';
import type { HistoryEntry, Problem, StackDetail } from '../../../common/stack';
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
  validate: async (yaml: string) =>
    (await http.post<{ problems: Problem[] }>('/api/validate', { yaml })).problems,
};

/** Polls a job until it ends. */
export async function waitForJob(id: string, intervalMs = 400): Promise<JobInfo> {
  for (;;) {
    const job = await stacksApi.job(id);
    if (job.state !== 'running') return job;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
