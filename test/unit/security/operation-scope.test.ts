import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { ROLES } from '../../../common/permissions.js';
import { ROUTES, type OperationId } from '../../../common/routes.js';
import type { Principal } from '../../../server/src/http/principal.js';
import { errorMiddleware, operationRouter, type Handlers } from '../../../server/src/http/route.js';
import { silentLogger } from '../../../server/src/logger.js';

/** An admin limited to stack `a`: permissions are not the question, the scope is. */
function scopedApp() {
  const ran: string[] = [];
  const handlers = new Proxy({} as Handlers, {
    get: (_t, id: string) => () => {
      ran.push(id);
      return {};
    },
  });
  const principal: Principal = {
    username: 'u',
    permissions: ROLES.admin,
    via: 'session',
    scope: ['a', 'x-*'],
  };
  const app = express();
  app.use(express.json());
  app.use('/api', operationRouter(handlers, { principal: () => principal, log: silentLogger() }));
  app.use(errorMiddleware(silentLogger()));
  return { app, ran };
}

const concrete = (path: string, stack: string) =>
  path
    .replace(':name', stack)
    .replace(':action', 'up')
    .replace(':file', 'compose.override.yaml')
    .replace(':service', 'web')
    .replace(':username', 'someone')
    .replace(':id', '00000000-0000-4000-8000-000000000000');

const ids = Object.keys(ROUTES) as OperationId[];
const namesStack = (id: OperationId) =>
  ROUTES[id].path.startsWith('/api/stacks/:name') || id === 'createStack' || id === 'createStackFromTemplate';
const bodyOf = (id: OperationId) =>
  id === 'createStack'
    ? (n: string) => ({ name: n, yaml: 'services: {}\n' })
    : id === 'createStackFromTemplate'
      ? (n: string) => ({ name: n, template: 'builtin/static-site' })
      : () => ({});

describe('a principal limited to some stacks', () => {
  for (const id of ids.filter(namesStack)) {
    const def = ROUTES[id];
    it(`${id}: a stack outside the scope does not exist; one inside is served`, async () => {
      const body = bodyOf(id);
      const { app, ran } = scopedApp();
      const out = await request(app)[def.method](concrete(def.path, 'b')).send(body('b'));
      expect(out.status).toBe(404);
      expect(out.body.error.code).toBe('STACK_NOT_FOUND');
      expect(ran).toEqual([]);
      const inGlob = await request(app)[def.method](concrete(def.path, 'x-1')).send(body('x-1'));
      expect(ran.includes(id) || inGlob.status === 400, `${id}: ${inGlob.status}`).toBe(true);
    });
  }

  it('may not change global things (no stack named) that need operate, exec or edit', async () => {
    const global = ids.filter(
      (id) => !namesStack(id) && ['operate', 'exec', 'edit'].includes(ROUTES[id].access),
    );
    for (const id of global) {
      const { app, ran } = scopedApp();
      const def = ROUTES[id];
      const res = await request(app)[def.method](concrete(def.path, 'a')).send({});
      expect(res.status, id).toBe(403);
      expect(ran).toEqual([]);
    }
    // Templates are global: saving one names a stack, and is refused all the same.
    const saved = await request(scopedApp().app)
      .post('/api/templates')
      .send({ stack: 'a', name: 't', title: 't' });
    expect(saved.status).toBe(403);
    // Reading global things (validate, convert) is fine.
    const { app, ran } = scopedApp();
    await request(app).post('/api/validate').send({ yaml: 'services: {}\n' });
    expect(ran).toEqual(['validate']);
  });
});
