import { Router } from 'express';
import { z } from 'zod';
import { StackName } from '../../../common/stack.js';
import { CheckRequest, NotificationSettings, NotificationTestRequest } from '../../../common/updates.js';
import type { UpdateService } from '../updates/update-service.js';
import { route } from './route.js';

/** Image update checks, update history and notification settings (server/src/updates). */
export function updatesRoutes(updates: UpdateService): Router {
  const r = Router();
  r.get(
    '/updates',
    route({}, () => Promise.resolve(updates.checks())),
  );
  r.post(
    '/updates/check',
    route({ body: CheckRequest.optional(), status: 202 }, ({ body }) =>
      Promise.resolve({ jobId: updates.startCheck(body?.stack).id }),
    ),
  );
  r.get(
    '/updates/checks/:id',
    route({ params: z.object({ id: z.uuid() }) }, ({ params }) =>
      Promise.resolve(updates.checkJob(params.id)),
    ),
  );
  r.get(
    '/stacks/:name/updates/history',
    route({ params: z.object({ name: StackName }) }, ({ params }) =>
      Promise.resolve(updates.history(params.name)),
    ),
  );
  r.get(
    '/settings/notifications',
    route({}, () => Promise.resolve(updates.notificationSettings())),
  );
  r.put(
    '/settings/notifications',
    route({ body: NotificationSettings }, ({ body }) =>
      Promise.resolve(updates.saveNotificationSettings(body)),
    ),
  );
  r.post(
    '/settings/notifications/test',
    route({ body: NotificationTestRequest }, ({ body }) => updates.testNotifications(body.urls)),
  );
  return r;
}
