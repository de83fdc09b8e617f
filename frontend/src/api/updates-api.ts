import type { NotificationSettings } from '../../../common/updates';
import { LOCAL_HOST, type StackRef } from '../lib/stack-ref';
import { call } from './http';

export const updatesApi = {
  list: (host = LOCAL_HOST) => call('listImageChecks', { host }),
  check: (stack?: string, host = LOCAL_HOST) => call('checkUpdates', { host, body: stack ? { stack } : {} }),
  checkJob: (id: string, host = LOCAL_HOST) => call('getUpdateCheck', { host, params: { id } }),
  history: (s: StackRef) => call('listUpdateHistory', { host: s.host, params: { name: s.name } }),
  notifications: () => call('getNotificationSettings'),
  saveNotifications: (s: NotificationSettings) => call('saveNotificationSettings', { body: s }),
  testNotifications: (urls?: string[]) => call('testNotifications', { body: urls ? { urls } : {} }),
};
