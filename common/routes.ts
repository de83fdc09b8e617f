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
    summary: 'YAML, compose-spec and compose-rule problems with line and column',
  },
  listStackFiles: {
    method: 'get',
    path: '/api/stacks/:name/files',
    access: 'read',
    tag: 'stacks',
    summary: "The stack's override file and the include/extends files inside its folder",
  },
  getStackFile: {
    method: 'get',
    path: '/api/stacks/:name/files/:file',
    access: 'read',
    tag: 'stacks',
    summary: 'One of those files (the override file may not exist yet: empty content and etag)',
  },
  saveStackFile: {
    method: 'put',
    path: '/api/stacks/:name/files/:file',
    access: 'edit',
    tag: 'stacks',
    summary: 'Saves one of those files if the etag is current; compose then judges the whole folder',
  },
  convert: {
    method: 'post',
    path: '/api/convert',
    access: 'read',
    tag: 'compose',
    summary: '`docker run` commands to compose services, optionally added to existing compose text',
  },
  getHost: {
    method: 'get',
    path: '/api/host',
    access: 'read',
    tag: 'stats',
    summary: "The host's CPU, load, memory and disks, the engine's containers and images, stacks by status",
  },
  listImageChecks: {
    method: 'get',
    path: '/api/updates',
    access: 'read',
    tag: 'updates',
    summary: "The last image update check of every managed stack's services",
  },
  checkUpdates: {
    method: 'post',
    path: '/api/updates/check',
    access: 'operate',
    tag: 'updates',
    summary: 'Checks one stack (or all) for image updates: one registry HEAD per image',
  },
  getUpdateCheck: {
    method: 'get',
    path: '/api/updates/checks/:id',
    access: 'read',
    tag: 'updates',
    summary: 'A check run: running or finished, how many images were checked and have updates',
  },
  listUpdateHistory: {
    method: 'get',
    path: '/api/stacks/:name/updates/history',
    access: 'read',
    tag: 'updates',
    summary: "A stack's safe updates, newest first: who, when, digests, result, job output",
  },
  getNotificationSettings: {
    method: 'get',
    path: '/api/settings/notifications',
    access: 'admin',
    tag: 'settings',
    summary: 'Where update notifications go',
  },
  saveNotificationSettings: {
    method: 'put',
    path: '/api/settings/notifications',
    access: 'admin',
    tag: 'settings',
    summary: 'Sets where update notifications go',
  },
  testNotifications: {
    method: 'post',
    path: '/api/settings/notifications/test',
    access: 'admin',
    tag: 'settings',
    summary: 'Sends a test notification to the given URLs (or the saved ones)',
  },
  listImages: {
    method: 'get',
    path: '/api/images',
    access: 'read',
    tag: 'images',
    summary: 'Every image with tags, size, created and the containers and stacks using it',
  },
  removeImage: {
    method: 'delete',
    path: '/api/images/:id',
    access: 'edit',
    tag: 'images',
    summary: 'Removes an image; 409 naming the containers that use it unless forced',
  },
  pruneImages: {
    method: 'post',
    path: '/api/images/prune',
    access: 'edit',
    tag: 'images',
    summary: 'Prunes dangling or unused images; a dry run lists exactly what would go and the space it frees',
  },
  listVolumes: {
    method: 'get',
    path: '/api/volumes',
    access: 'read',
    tag: 'volumes',
    summary: 'Every volume with driver, owning stack, users and orphan flag',
  },
  getVolume: {
    method: 'get',
    path: '/api/volumes/:name',
    access: 'read',
    tag: 'volumes',
    summary: 'One volume with its size (asked of the engine) and users',
  },
  removeVolume: {
    method: 'delete',
    path: '/api/volumes/:name',
    access: 'edit',
    tag: 'volumes',
    summary: 'Removes an unused volume',
  },
  backupVolume: {
    method: 'post',
    path: '/api/volumes/:name/backups',
    access: 'edit',
    tag: 'volumes',
    summary: 'Backs a volume up to backups/<volume>/<time>.tar.gz in the data dir, as a job',
  },
  listBackups: {
    method: 'get',
    path: '/api/volumes/:name/backups',
    access: 'read',
    tag: 'volumes',
    summary: "A volume's backups, newest first",
  },
  downloadBackup: {
    method: 'get',
    path: '/api/volumes/:name/backups/:id',
    access: 'edit',
    tag: 'volumes',
    summary: "Downloads one backup (.tar.gz): it holds the volume's data",
  },
  deleteBackup: {
    method: 'delete',
    path: '/api/volumes/:name/backups/:id',
    access: 'edit',
    tag: 'volumes',
    summary: 'Deletes one backup file',
  },
  restoreBackup: {
    method: 'post',
    path: '/api/volumes/:name/backups/:id/restore',
    access: 'edit',
    tag: 'volumes',
    summary: 'Restores a backup into the volume, stopping and restarting its containers (confirm), as a job',
  },
  getVolumeJob: {
    method: 'get',
    path: '/api/volume-jobs/:id',
    access: 'read',
    tag: 'volumes',
    summary: 'A backup or restore job with its progress',
  },
  listNetworks: {
    method: 'get',
    path: '/api/networks',
    access: 'read',
    tag: 'networks',
    summary: "Networks with driver, subnets, containers and owning stack, and the address pools' use",
  },
  createNetwork: {
    method: 'post',
    path: '/api/networks',
    access: 'edit',
    tag: 'networks',
    summary: 'Creates a bridge, macvlan or ipvlan network',
  },
  removeNetwork: {
    method: 'delete',
    path: '/api/networks/:id',
    access: 'edit',
    tag: 'networks',
    summary: 'Removes an unused network',
  },
  inspectContainer: {
    method: 'get',
    path: '/api/containers/:id',
    access: 'read',
    tag: 'containers',
    summary:
      'One container: env (masked unless revealed to an editor), mounts, ports, networks, restart policy, health log',
  },
  killContainer: {
    method: 'post',
    path: '/api/containers/:id/kill',
    access: 'edit',
    tag: 'containers',
    summary: 'Kills one container',
  },
  removeContainer: {
    method: 'post',
    path: '/api/containers/:id/remove',
    access: 'edit',
    tag: 'containers',
    summary: 'Removes one container (force: also a running one)',
  },
  containerAction: {
    method: 'post',
    path: '/api/containers/:id/:action',
    access: 'operate',
    tag: 'containers',
    summary: 'Starts, stops or restarts one container',
  },
  downloadLogs: {
    method: 'get',
    path: '/api/stacks/:name/logs',
    access: 'read',
    tag: 'logs',
    summary:
      'Log lines of a stack (merged, tagged by service) or of a service or container, as an attachment',
  },
  // Users, tokens, audit (issue 18).
  listUsers: {
    method: 'get',
    path: '/api/users',
    access: 'admin',
    tag: 'users',
    summary: 'Every user with role, scope and whether disabled',
  },
  createUser: {
    method: 'post',
    path: '/api/users',
    access: 'admin',
    tag: 'users',
    summary: 'Creates a user with a password, or without one: an invite link is returned (once)',
  },
  updateUser: {
    method: 'patch',
    path: '/api/users/:username',
    access: 'admin',
    tag: 'users',
    summary: "Changes a user's role, scope or disabled state; disabling ends their sessions and sockets",
  },
  deleteUser: {
    method: 'delete',
    path: '/api/users/:username',
    access: 'admin',
    tag: 'users',
    summary: 'Deletes a user with their tokens; their sessions and sockets end at once',
  },
  acceptInvite: {
    method: 'post',
    path: '/api/auth/invite',
    access: 'public',
    tag: 'auth',
    summary: 'Sets the password of an invited user (the invite is used up) and logs in',
  },
  listSessions: {
    method: 'get',
    path: '/api/auth/sessions',
    access: 'user',
    tag: 'auth',
    summary: "The user's own sessions",
  },
  endOtherSessions: {
    method: 'delete',
    path: '/api/auth/sessions',
    access: 'user',
    tag: 'auth',
    summary: "Ends the user's other sessions and their sockets",
  },
  listTokens: {
    method: 'get',
    path: '/api/tokens',
    access: 'user',
    tag: 'tokens',
    summary: "The caller's API tokens; an admin may ask for another user's (`?user=`)",
  },
  createToken: {
    method: 'post',
    path: '/api/tokens',
    access: 'user',
    tag: 'tokens',
    summary: 'A new API token, its role and stacks no more than the caller may; shown this once',
  },
  revokeToken: {
    method: 'delete',
    path: '/api/tokens/:id',
    access: 'user',
    tag: 'tokens',
    summary: "Revokes one's own token (an admin: anyone's); its sockets end at once",
  },
  getAudit: {
    method: 'get',
    path: '/api/audit',
    access: 'admin',
    tag: 'audit',
    summary: 'The audit log, newest first; `format=csv|ndjson` downloads it',
  },
  getSettings: {
    method: 'get',
    path: '/api/settings',
    access: 'admin',
    tag: 'settings',
    summary: "Berth's settings (audit retention)",
  },
  updateSettings: {
    method: 'put',
    path: '/api/settings',
    access: 'admin',
    tag: 'settings',
    summary: "Changes Berth's settings",
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
  listTemplates: {
    method: 'get',
    path: '/api/templates',
    access: 'read',
    tag: 'templates',
    summary: 'The template catalogue: built-in templates (the example stacks) and user templates',
  },
  getTemplate: {
    method: 'get',
    path: '/api/templates/:id',
    access: 'read',
    tag: 'templates',
    summary: 'A template with its compose file and .env.example (`id` URL-encoded: builtin%2Fname)',
  },
  saveTemplate: {
    method: 'post',
    path: '/api/templates',
    access: 'edit',
    tag: 'templates',
    summary: 'Saves a stack as a user template (its .env becomes .env.example, secrets blanked)',
  },
  deleteTemplate: {
    method: 'delete',
    path: '/api/templates/:id',
    access: 'edit',
    tag: 'templates',
    summary: "Moves a user template to the data dir's trash",
  },
  importTemplates: {
    method: 'post',
    path: '/api/templates/import',
    access: 'edit',
    tag: 'templates',
    summary: 'Imports a Portainer app-template catalogue (version 2) from an uploaded file or a URL',
  },
  createStackFromTemplate: {
    method: 'post',
    path: '/api/stacks/from-template',
    access: 'edit',
    tag: 'templates',
    summary: "Creates a stack from a template: its compose file as is, the variables' values in .env",
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
