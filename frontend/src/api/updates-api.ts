import type {
  CheckJob,
  ImageCheck,
  NotificationSettings,
  NotificationTestReply,
  UpdateHistoryEntry,
} from '../../../common/updates';
import { http } from './http';

export const updatesApi = {
  list: () => http.get<ImageCheck[]>('/api/updates'),
  check: (stack?: string) => http.post<{ jobId: string }>('/api/updates/check', stack ? { stack } : {}),
  checkJob: (id: string) => http.get<CheckJob>(`/api/updates/checks/${id}`),
  history: (name: string) =>
    http.get<UpdateHistoryEntry[]>(`/api/stacks/${encodeURIComponent(name)}/updates/history`),
  notifications: () => http.get<NotificationSettings>('/api/settings/notifications'),
  saveNotifications: (s: NotificationSettings) =>
    http.put<NotificationSettings>('/api/settings/notifications', s),
  testNotifications: (urls?: string[]) =>
    http.post<NotificationTestReply>('/api/settings/notifications/test', urls ? { urls } : {}),
};
