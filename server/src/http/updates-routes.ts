import type { UpdateService } from '../updates/update-service.js';
import type { Handlers } from './route.js';

type UpdateOps =
  | 'listImageChecks'
  | 'checkUpdates'
  | 'getUpdateCheck'
  | 'listUpdateHistory'
  | 'getNotificationSettings'
  | 'saveNotificationSettings'
  | 'testNotifications';

/** Image update checks, update history and notification settings (server/src/updates). */
export function updatesHandlers(updates: UpdateService): Handlers<UpdateOps> {
  return {
    listImageChecks: () => updates.checks(),
    checkUpdates: ({ body }) => ({ jobId: updates.startCheck(body?.stack).id }),
    getUpdateCheck: ({ params }) => updates.checkJob(params.id),
    listUpdateHistory: ({ params }) => updates.history(params.name),
    getNotificationSettings: () => updates.notificationSettings(),
    saveNotificationSettings: ({ body }) => updates.saveNotificationSettings(body),
    testNotifications: ({ body }) => updates.testNotifications(body.urls),
  };
}
