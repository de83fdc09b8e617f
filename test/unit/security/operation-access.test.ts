import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { OPERATIONS } from '../../../common/operations.js';
import { PERMISSIONS, type Permission } from '../../../common/permissions.js';
import { ROUTES, type OperationId } from '../../../common/routes.js';
import type { Principal } from '../../../server/src/http/principal.js';
import { errorMiddleware, operationRouter, type Handlers } from '../../../server/src/http/route.js';
import { silentLogger } from '../../../server/src/logger.js';

/** Handlers that only record that they ran: the access check is what is under test. */
function recordingApp(permissions: readonly Permission[] | null) {
  const ran: string[] = [];
  const handlers = new Proxy({} as Handlers, {
    get: (_t, id: string) => () => {
      ran.push(id);
      return {};
    },
  });
  const principal: Principal | null = permissions ? { username: 'u', permissions, via: 'session' } : null;
  const app = express();
  app.use(express.json());
  app.use('/api', operationRouter(handlers, { principal: () => principal, log: silentLogger() }));
  app.use(errorMiddleware(silentLogger()));
  return { app, ran };
}

/** A concrete URL for an operation whose params are well formed (access comes first anyway). */
const concrete = (path: string) =>
  path
    .replace(':name', 'demo')
    .replace(':action', 'up')
    .replace(':id', '00000000-0000-4000-8000-000000000000');

const ids = Object.keys(ROUTES) as OperationId[];

describe('every operation of the table is guarded by its access, before anything else runs', () => {
  it('has a reply schema (or a download type) for every operation', () => {
    for (const id of ids) expect(OPERATIONS[id].reply, id).toBeDefined();
    expect(Object.keys(OPERATIONS).sort()).toEqual([...ids].sort());
  });

  for (const id of ids) {
    const def = ROUTES[id];
    it(`${id}: ${def.method.toUpperCase()} ${def.path} needs "${def.access}"`, async () => {
      const call = (app: express.Express) => request(app)[def.method](concrete(def.path)).send({});
      if (def.access === 'public') {
        const { app, ran } = recordingApp(null);
        const res = await call(app);
        expect(ran.includes(id) || res.status === 400, `${id}: ${res.status}`).toBe(true);
        return;
      }
      const anon = recordingApp(null);
      expect((await call(anon.app)).status).toBe(401);
      expect(anon.ran).toEqual([]);
      if (def.access !== 'user') {
        const lacking = recordingApp(PERMISSIONS.filter((p) => p !== def.access));
        const res = await call(lacking.app);
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('FORBIDDEN');
        expect(lacking.ran).toEqual([]);
      }
      // With the permission, the request reaches parsing: the handler runs or the input is refused.
      const holding = recordingApp(def.access === 'user' ? [] : [def.access]);
      const res = await call(holding.app);
      expect(holding.ran.includes(id) || res.status === 400, `${id}: ${res.status}`).toBe(true);
    });
  }
});
