// The HTTP operations' addresses and who may call them: plain constants, no zod, so the SPA's
// client is built from this very table. Schemas for each id live in operations.ts, which the
// compiler holds to exactly these ids.
import type { Access } from './permissions.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteDef {
  method: HttpMethod;
  /** Express style: `/api/stacks/:name`. */
  path: string;
  access: Access;
  tag: string;
  summary: string;
}

export const ROUTES = {
  getHealth: {
    method: 'get',
    path: '/api/health',
    access: 'public',
    tag: 'health',
    summary: 'Whether Berth is up; with a session also the engine and compose versions',
  },
  getOpenApi: {
    method: 'get',
    path: '/api/openapi.json',
    access: 'public',
    tag: 'health',
    summary: 'This document',
  },
  getAuthStatus: {
    method: 'get',
    path: '/api/auth/status',
    access: 'public',
    tag: 'auth',
    summary: 'Whether first-run setup is needed, and the logged-in user',
  },
  setup: {
    method: 'post',
    path: '/api/auth/setup',
    access: 'public',
    tag: 'auth',
    summary: 'Creates the first user and logs in; refused once a user exists',
  },
  login: {
    method: 'post',
    path: '/api/auth/login',
    access: 'public',
    tag: 'auth',
    summary: 'Logs in: a new session cookie',
  },
  logout: {
    method: 'post',
    path: '/api/auth/logout',
    access: 'public',
    tag: 'auth',
    summary: "Ends the session (also without one); the session's sockets are disconnected",
  },
  changePassword: {
    method: 'post',
    path: '/api/auth/password',
    access: 'user',
    tag: 'auth',
    summary: "Changes the user's password and ends the user's other sessions and their sockets",
  },
  listStacks: {
    method: 'get',
    path: '/api/stacks',
    access: 'read',
    tag: 'stacks',
    summary: 'Every stack: managed ones first, then compose projects with no folder (managed: false)',
  },
  createStack: {
    method: 'post',
    path: '/api/stacks',
    access: 'edit',
    tag: 'stacks',
    summary: 'Creates a stack folder with its compose file (and .env)',
  },
  getStack: {
    method: 'get',
    path: '/api/stacks/:name',
    access: 'read',
    tag: 'stacks',
    summary: 'A stack with its compose text, .env, etag and containers',
  },
  saveStack: {
    method: 'put',
    path: '/api/stacks/:name',
    access: 'edit',
    tag: 'stacks',
    summary: 'Saves the compose text (and .env when given) if the etag is current',
  },
  deleteStack: {
    method: 'delete',
    path: '/api/stacks/:name',
    access: 'edit',
    tag: 'stacks',
    summary: '`compose down --remove-orphans`, then the folder moves to .trash/',
  },
  listHistory: {
    method: 'get',
    path: '/api/stacks/:name/history',
    access: 'read',
    tag: 'history',
    summary: 'Saved versions, newest first (the last 100)',
  },
  getHistoryVersion: {
    method: 'get',
    path: '/api/stacks/:name/history/:id',
    access: 'read',
    tag: 'history',
    summary: 'One saved version',
  },
  restoreHistoryVersion: {
    method: 'post',
    path: '/api/stacks/:name/history/:id/restore',
    access: 'edit',
    tag: 'history',
    summary: 'Saves that version again (the current one goes to history first)',
  },
  // Before runAction: its `/:action` would otherwise take `deploy`.
  deployStack: {
    method: 'post',
    path: '/api/stacks/:name/deploy',
    access: 'operate',
    tag: 'swarm',
    summary:
      '`docker stack deploy --with-registry-auth --prune` of the rendered file, as a job in terminal `stack:<name>`',
  },
  runAction: {
    method: 'post',
    path: '/api/stacks/:name/:action',
    access: 'operate',
    tag: 'stacks',
    summary: 'Starts a compose action as a job; its output goes to terminal `stack:<name>`',
  },
  getJob: {
    method: 'get',
    path: '/api/jobs/:id',
    access: 'read',
    tag: 'jobs',
    summary: 'A job of a compose action, with its output',
  },
  validate: {
    method: 'post',
    path: '/api/validate',
    access: 'read',
    tag: 'compose',
    summary: 'YAML and compose-spec problems with line and column',
  },
  convert: {
    method: 'post',
    path: '/api/convert',
    access: 'read',
    tag: 'compose',
    summary: '`docker run` commands to compose services, optionally added to existing compose text',
  },
  previewDeploy: {
    method: 'get',
    path: '/api/stacks/:name/deploy',
    access: 'operate',
    tag: 'swarm',
    summary: 'What a swarm deploy would do: the file rendered with .env, and the preflight findings',
  },
  getStackSwarm: {
    method: 'get',
    path: '/api/stacks/:name/swarm',
    access: 'read',
    tag: 'swarm',
    summary: "A swarm stack's services (replicas, image, update state, last error) and their tasks",
  },
  scaleService: {
    method: 'post',
    path: '/api/stacks/:name/services/:service/scale',
    access: 'operate',
    tag: 'swarm',
    summary: 'Sets the replicas of a replicated swarm service',
  },
  getServiceLogs: {
    method: 'get',
    path: '/api/stacks/:name/services/:service/logs',
    access: 'read',
    tag: 'swarm',
    summary: "The last lines of a swarm service's logs (all its tasks), one-shot",
  },
  getSwarm: {
    method: 'get',
    path: '/api/swarm',
    access: 'read',
    tag: 'swarm',
    summary: 'Whether the engine is a swarm manager, and the nodes',
  },
  setNodeAvailability: {
    method: 'post',
    path: '/api/swarm/nodes/:id/availability',
    access: 'admin',
    tag: 'swarm',
    summary: 'Drains, pauses or activates a swarm node',
  },
} as const satisfies Record<string, RouteDef>;

export type OperationId = keyof typeof ROUTES;

/** A concrete URL of an operation: path parameters filled in and encoded, query appended. */
export function urlOf(
  id: OperationId,
  params: Record<string, string> = {},
  query?: Record<string, string | number | boolean | undefined>,
): string {
  const path = ROUTES[id].path.replace(/:(\w+)/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`${id}: path parameter "${key}" missing`);
    return encodeURIComponent(value);
  });
  const q = Object.entries(query ?? {}).filter(
    (e): e is [string, string | number | boolean] => e[1] !== undefined,
  );
  return q.length
    ? `${path}?${new URLSearchParams(q.map(([k, v]): [string, string] => [k, String(v)])).toString()}`
    : path;
}
