import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteDef } from '../../common/routes.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';

/** The parts of an express 5 (router 2) layer this test reads. */
interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every `METHOD /path` the app's router really serves under /api, mounted routers included. */
function registeredRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        if (typeof layer.route.path !== 'string') continue; // the SPA's fallback regexp
        for (const method of Object.keys(layer.route.methods)) {
          if (method !== '_all') out.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
        }
      } else if (layer.handle.stack) {
        if (typeof layer.rawPath !== 'string')
          throw new Error('a router is mounted on a path this test cannot read');
        walk(layer.handle.stack, layer.rawPath === '/' ? prefix : prefix + layer.rawPath);
      }
    }
  };
  walk((app.router as unknown as { stack: Layer[] }).stack, '');
  return out.filter((r) => r.split(' ')[1]?.startsWith('/api/')).sort();
}

type Json = Record<string, unknown>;
interface Operation {
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { description?: string }>;
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsIn(v, found);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') found.push(v);
      else refsIn(v, found);
    }
  }
  return found;
}

describe('GET /api/openapi.json', () => {
  let t: TestBerth;
  let doc: { openapi: string; paths: Record<string, Record<string, Operation>>; components: Json } & Json;

  beforeAll(async () => {
    t = await startBerth({ login: false });
    const res = await t.anon().get('/api/openapi.json').expect(200).expect('content-type', /json/);
    doc = res.body as typeof doc;
  });
  afterAll(() => t.close());

  const documented = (): string[] =>
    Object.entries(doc.paths)
      .flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();

  it('is an OpenAPI 3.1 document served without a session', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'Berth', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('registers exactly the operations of the table: no route exists without its entry', () => {
    // Hosted operations also answer for any host: `/api/hosts/:host/...`.
    const table = Object.values(ROUTES as Record<string, RouteDef>)
      .flatMap((r) =>
        [r.path, ...(r.hosted ? [`/api/hosts/:host${r.path.slice(4)}`] : [])].map(
          (p) => `${r.method.toUpperCase()} ${p}`,
        ),
      )
      .sort();
    expect(registeredRoutes(t.berth.http.app)).toEqual(table);
  });

  it('names the permission of every operation and socket event', () => {
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        expect((op as unknown as Json)['x-permission'], `${method} ${p}`).toMatch(
          /^(public|user|read|operate|exec|edit|admin)$/,
        );
      }
    }
  });

  it('describes every route registered in the express app, and only those', () => {
    const routes = registeredRoutes(t.berth.http.app);
    // Sanity: the walk found the routers (auth, stacks, ...), so an empty diff means something.
    expect(routes.length).toBeGreaterThanOrEqual(15);
    expect(
      routes.filter((r) => !documented().includes(r)),
      'routes missing from the document',
    ).toEqual([]);
    expect(
      documented().filter((r) => !routes.includes(r)),
      'documented routes the app lacks',
    ).toEqual([]);
  });

  it('declares the session each route really asks for', async () => {
    const concrete = (p: string) =>
      p
        .replace('{name}', 'demo')
        .replace('{action}', 'up')
        .replace('{id}', '00000000-0000-4000-8000-000000000000');
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const needsSession = op.security === undefined;
        const agent = t.anon();
        const url = concrete(p);
        const req =
          method === 'get'
            ? agent.get(url)
            : method === 'put'
              ? agent.put(url)
              : method === 'delete'
                ? agent.delete(url)
                : agent.post(url);
        const res = await req.send({});
        if (needsSession) {
          expect(res.status, `${method} ${p} without a session`).toBe(401);
          // Reading one's own account (`user`) can be refused for nothing but a missing session.
          const ownRead = (op as unknown as Json)['x-permission'] === 'user' && method === 'get';
          if (!ownRead)
            expect(Object.keys(op.responses), `${method} ${p} documents its 403`).toContain('403');
          expect(Object.keys(op.responses), `${method} ${p} documents its 401`).toContain('401');
        } else {
          expect(res.status, `${method} ${p} is documented as public`).not.toBe(401);
        }
      }
    }
  });

  it('names every path parameter and gives every response a description', () => {
    for (const [p, ops] of Object.entries(doc.paths)) {
      const inPath = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        expect(
          (op.parameters ?? []).filter((x) => x.in === 'path').map((x) => x.name),
          `${method} ${p}`,
        ).toEqual(inPath);
        for (const [status, r] of Object.entries(op.responses)) {
          expect(r.description, `${method} ${p} ${status}`).toBeTruthy();
        }
      }
    }
  });

  it('resolves every $ref to a component schema', () => {
    const schemas = doc.components.schemas as Json;
    const refs = refsIn(doc);
    expect(refs.length).toBeGreaterThan(20);
    const unresolved = refs.filter((r) => !(r.replace('#/components/schemas/', '') in schemas));
    expect(unresolved).toEqual([]);
  });

  it('describes the socket events both ways, with their payloads and acks', () => {
    const events = doc['x-socket-events'] as {
      serverToClient: Record<string, { payload: unknown }>;
      clientToServer: Record<string, { payload: unknown; ack: unknown }>;
    };
    expect(Object.keys(events.serverToClient).sort()).toEqual(
      [
        'logs:lines',
        'stack:changed',
        'stack:removed',
        'stacks:list',
        'terminal:exit',
        'terminal:output',
        'stats:sample',
        'volume:job',
        'swarm:changed',
        'host:changed',
      ].sort(),
    );
    expect(Object.keys(events.clientToServer).sort()).toEqual(
      [
        'exec:open',
        'logs:history',
        'logs:subscribe',
        'logs:unsubscribe',
        'terminal:input',
        'terminal:join',
        'terminal:leave',
        'terminal:resize',
        'stats:subscribe',
        'stats:unsubscribe',
      ].sort(),
    );
    expect(events.clientToServer['terminal:join']?.ack).toBeDefined();
  });
});
