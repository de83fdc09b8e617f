import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { PERMISSIONS, ROLES, type Permission } from '../../../common/permissions.js';
import { ROUTES, type OperationId, type RouteDef } from '../../../common/routes.js';
import type { Principal } from '../../../server/src/http/principal.js';
import {
  errorMiddleware,
  operationRouter,
  type Handlers,
  type RemoteCall,
} from '../../../server/src/http/route.js';
import { silentLogger } from '../../../server/src/logger.js';

const HOST = 'h_abcdefghij';

/** The router with recording handlers and a fake tunnel that records what it was asked. */
function app(principal: Principal | null) {
  const ran: string[] = [];
  const calls: RemoteCall[] = [];
  const handlers = new Proxy({} as Handlers, {
    get: (_t, id: string) => () => {
      ran.push(id);
      return {};
    },
  });
  const a = express();
  a.use(express.json());
  a.use(
    '/api',
    operationRouter(handlers, {
      principal: () => principal,
      log: silentLogger(),
      remote: (call) => {
        calls.push(call);
        return Promise.resolve({
          status: 201,
          headers: { 'content-type': 'application/json', etag: '"e1"' },
          body: Buffer.from('{"from":"agent"}'),
        });
      },
    }),
  );
  a.use(errorMiddleware(silentLogger()));
  return { app: a, ran, calls };
}

const admin = (scope?: string[]): Principal => ({
  username: 'ann',
  permissions: ROLES.admin,
  via: 'session',
  scope,
});
const concrete = (path: string) =>
  path
    .replace(':name', 'demo')
    .replace(':action', 'up')
    .replace(':file', 'compose.override.yaml')
    .replace(':service', 'web')
    .replace(':id', '00000000-0000-4000-8000-000000000000');
const twin = (path: string, host: string) => `/api/hosts/${host}${path.slice(4)}`;
const hosted = (Object.keys(ROUTES) as OperationId[]).filter((id) => (ROUTES[id] as RouteDef).hosted);

describe('hosted operations on /api/hosts/:host/...', () => {
  it('are the host-scoped ones: stacks, jobs, resources, swarm; not users, hosts or settings', () => {
    expect(hosted).toContain('runAction');
    expect(hosted).toContain('listVolumes');
    expect(hosted).not.toContain('listUsers');
    expect(hosted).not.toContain('createHost');
    expect(hosted).not.toContain('getNotificationSettings');
  });

  for (const id of hosted) {
    const def: RouteDef = ROUTES[id];
    it(`${id}: the access of its plain route first, then local runs here and another host goes to the tunnel`, async () => {
      const call = (a: express.Express, host: string) =>
        request(a)
          [def.method](twin(concrete(def.path), host))
          .send({});
      expect((await call(app(null).app, HOST)).status).toBe(401);
      const lacking = app({
        username: 'u',
        permissions: PERMISSIONS.filter((p: Permission) => p !== def.access),
        via: 'session',
      });
      expect((await call(lacking.app, HOST)).status).toBe(403);
      expect(lacking.calls).toEqual([]);
      const local = app(admin());
      const l = await call(local.app, 'local');
      expect(local.ran.includes(id) || l.status === 400, `${id} local: ${l.status}`).toBe(true);
      expect(local.calls).toEqual([]);
      const remote = app(admin());
      const r = await call(remote.app, HOST);
      expect(remote.ran).toEqual([]);
      // Parsed at the hub: either refused as bad input here, or forwarded as received.
      if (r.status !== 400) {
        expect(r.status).toBe(201);
        expect(r.body).toEqual({ from: 'agent' });
        expect(r.headers.etag).toBe('"e1"');
        expect(remote.calls[0]).toMatchObject({
          host: HOST,
          method: def.method.toUpperCase(),
          url: concrete(def.path),
        });
      } else expect(remote.calls).toEqual([]);
    });
  }

  it('forwards the raw query and body and the if-match header, for the hub user', async () => {
    const { app: a, calls } = app(admin());
    await request(a)
      .put(`/api/hosts/${HOST}/stacks/web`)
      .set('If-Match', '"x"')
      .send({ yaml: 'services: {}\n', etag: 'abc' })
      .expect(201);
    await request(a).get(`/api/hosts/${HOST}/stacks/web/logs?tail=5&q=err`).expect(201);
    expect(calls[0]).toMatchObject({
      url: '/api/stacks/web',
      body: { yaml: 'services: {}\n', etag: 'abc' },
      headers: { 'if-match': '"x"' },
      principal: { username: 'ann' },
    });
    expect(calls[1]?.url).toBe('/api/stacks/web/logs?tail=5&q=err');
  });

  it('refuses unknown host ids and, for principals limited to some stacks, any other host', async () => {
    const bad = await request(app(admin()).app).get('/api/hosts/nas/stacks').expect(404);
    expect(bad.body.error.code).toBe('HOST_NOT_FOUND');
    const scoped = app(admin(['demo']));
    const refused = await request(scoped.app).get(`/api/hosts/${HOST}/stacks/demo`).expect(404);
    expect(refused.body.error.code).toBe('HOST_NOT_FOUND');
    expect(scoped.calls).toEqual([]);
    await request(scoped.app).get('/api/hosts/local/stacks/demo').expect(200);
  });

  it('refuses bad input at the hub, before the tunnel', async () => {
    const { app: a, calls } = app(admin());
    const res = await request(a).post(`/api/hosts/${HOST}/stacks/web/explode`).send({}).expect(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(calls).toEqual([]);
  });
});
