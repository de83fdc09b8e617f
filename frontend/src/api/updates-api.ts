import type { NotificationSettings } from '../../../common/updates';
import { call } from './http';

export const updatesApi = {
  list: () => call('listImageChecks'),
  check: (stack?: string) => call('checkUpdates', { body: stack ? { stack } : {} }),
  checkJob: (id: string) => call('getUpdateCheck', { params: { id } }),
  history: (name: string) => call('listUpdateHistory', { params: { name } }),
  notifications: () => call('getNotificationSettings'),
  saveNotifications: (s: NotificationSettings) => call('saveNotificationSettings', { body: s }),
  testNotifications: (urls?: string[]) => call('testNotifications', { body: urls ? { urls } : {} }),
};
