import { Router } from 'express';
import { z } from 'zod';
import { CreateStackRequest, SaveStackRequest, StackAction } from '../../../common/api.js';
import { stackTerminalId } from '../compose/action-terminal.js';
import { StackName } from '../../../common/stack.js';
import type { StackService } from '../stacks/stack-service.js';
import { route } from './route.js';

const NameParams = z.object({ name: StackName });
const ActionParams = z.object({ name: StackName, action: StackAction });
const HistoryParams = z.object({ name: StackName, id: z.string().max(64) });

export function stackRoutes(stacks: StackService): Router {
  const r = Router();
  r.get(
    '/stacks',
    route({}, () => Promise.resolve(stacks.list())),
  );
  r.post(
    '/stacks',
    route({ body: CreateStackRequest, status: 201 }, ({ body }) =>
      stacks.create(body.name, body.yaml, body.env),
    ),
  );
  r.get(
    '/stacks/:name',
    route({ params: NameParams }, ({ params }) => stacks.get(params.name)),
  );
  r.put(
    '/stacks/:name',
    route({ params: NameParams, body: SaveStackRequest }, ({ params, body }) =>
      stacks.save(params.name, body),
    ),
  );
  r.delete(
    '/stacks/:name',
    route({ params: NameParams, status: 202 }, async ({ params }) => ({
      jobId: (await stacks.delete(params.name)).id,
    })),
  );
  r.post(
    '/stacks/:name/:action',
    route({ params: ActionParams, status: 202 }, async ({ params, req }) => ({
      jobId: (await stacks.action(params.name, params.action, req.session.user?.username)).id,
      terminal: stackTerminalId(params.name),
    })),
  );
  r.get(
    '/stacks/:name/history',
    route({ params: NameParams }, ({ params }) => stacks.history(params.name)),
  );
  r.get(
    '/stacks/:name/history/:id',
    route({ params: HistoryParams }, ({ params }) => stacks.historyEntry(params.name, params.id)),
  );
  r.post(
    '/stacks/:name/history/:id/restore',
    route({ params: HistoryParams }, ({ params }) => stacks.restore(params.name, params.id)),
  );
  return r;
}
