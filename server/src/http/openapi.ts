import { z } from 'zod';
import {
  ActionResponse,
  AuthStatus,
  ChangePasswordRequest,
  ConvertRequest,
  ConvertResponse,
  CreateStackRequest,
  Credentials,
  HealthResponse,
  SaveStackRequest,
  SaveStackResponse,
  SessionUser,
  SetupRequest,
  StackAction,
  ValidateRequest,
} from '../../../common/api.js';
import { ApiError, ErrorCode } from '../../../common/errors.js';
import {
  SaveStackFileRequest,
  SaveStackFileResponse,
  StackFileContent,
  StackFileList,
  StackFilePath,
} from '../../../common/stack-files.js';
import {
  ExecOpen,
  TerminalInput,
  TerminalJoin,
  TerminalLeave,
  TerminalResize,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type TerminalJoinResult,
} from '../../../common/events.js';
import {
  ContainerInfo,
  HistoryEntry,
  Problem,
  NewStackName,
  StackDetail,
  StackName,
  StackSummary,
} from '../../../common/stack.js';
import type { Job } from '../compose/job-store.js';
import { AppError } from '../errors.js';
import type { StackService } from '../stacks/stack-service.js';
import { SESSION_COOKIE } from './auth-routes.js';

// Replies with no schema in common/; `satisfies` ties each to the type the server really sends.
const Ok = z.object({ ok: z.literal(true) });
const UserReply = z.object({ user: SessionUser });
const DeleteReply = z.object({ jobId: z.uuid() });
const ValidateReply = z.object({ problems: z.array(Problem) });
const JobId = z.uuid();
const HistoryId = z.string().max(64);
const JobReply = z.object({
  id: z.uuid(),
  stack: z.string(),
  action: z.string(),
  state: z.enum(['running', 'succeeded', 'failed']),
  exitCode: z.number().int().nullable(),
  output: z.string().describe('the output so far, its oldest part dropped past 512 KiB'),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
}) satisfies z.ZodType<Job>;
const HistoryVersion = z.object({
  yaml: z.string(),
  env: z.string().nullable(),
  savedAt: z.string(),
}) satisfies z.ZodType<Awaited<ReturnType<StackService['historyEntry']>>>;

type Payload<F> = F extends (payload: infer P, ...rest: never[]) => void ? P : never;
const StackRemoved = z.object({ name: z.string() }) satisfies z.ZodType<
  Payload<ServerToClientEvents['stack:removed']>
>;
const TerminalOutput = z.object({ id: z.string(), data: z.string() }) satisfies z.ZodType<
  Payload<ServerToClientEvents['terminal:output']>
>;
const TerminalExit = z.object({ id: z.string(), exitCode: z.number().int() }) satisfies z.ZodType<
  Payload<ServerToClientEvents['terminal:exit']>
>;
const TerminalJoinReply = z.object({
  buffer: z.string().describe('the scrollback so far; live output follows as terminal:output'),
  running: z.boolean(),
  exitCode: z.number().int().nullable(),
}) satisfies z.ZodType<TerminalJoinResult>;
const ExecOpenReply = z.object({ id: z.string().describe('`exec:<uuid>`, a terminal to join') });
const StackList = z.array(StackSummary);
const HistoryList = z.array(HistoryEntry);
const OpenApiDocument = z.object({ openapi: z.literal('3.1.0') }).loose();
const AckError = z.object({
  ok: z.literal(false),
  error: z.object({ code: ErrorCode, message: z.string() }),
});

/** Every schema the document names; each becomes components.schemas.<id>. */
const named = {
  HealthResponse,
  OpenApiDocument,
  AuthStatus,
  SessionUser,
  UserReply,
  SetupRequest,
  Credentials,
  ChangePasswordRequest,
  Ok,
  StackName,
  NewStackName,
  StackAction,
  StackSummary,
  StackFileList,
  StackFilePath,
  StackFileContent,
  SaveStackFileRequest,
  SaveStackFileResponse,
  StackList,
  StackDetail,
  ContainerInfo,
  CreateStackRequest,
  SaveStackRequest,
  SaveStackResponse,
  Problem,
  DeleteReply,
  ActionResponse,
  JobId,
  JobReply,
  HistoryId,
  HistoryEntry,
  HistoryList,
  HistoryVersion,
  ValidateRequest,
  ValidateReply,
  ConvertRequest,
  ConvertResponse,
  ApiError,
  ErrorCode,
  StackRemoved,
  TerminalOutput,
  TerminalExit,
  TerminalJoin,
  TerminalJoinReply,
  TerminalLeave,
  TerminalInput,
  TerminalResize,
  ExecOpen,
  ExecOpenReply,
  AckError,
} satisfies Record<string, z.ZodType>;

type Method = 'get' | 'post' | 'put' | 'delete';

export interface ApiOperation {
  method: Method;
  /** Express style, as registered: `/api/stacks/:name`. */
  path: string;
  id: string;
  tag: string;
  summary: string;
  /** false for the few routes that answer without a session. */
  session: boolean;
  params?: Record<string, z.ZodType>;
  body?: z.ZodType;
  status?: number;
  reply: z.ZodType;
  /** Failures beyond the ones every route of its kind has (bad input, no session, internal). */
  errors?: readonly ErrorCode[];
  description?: string;
}

const name = { name: StackName };

/** The HTTP API as built (server/src/http/*-routes.ts); a test checks it against the app's router. */
export const API_OPERATIONS: readonly ApiOperation[] = [
  {
    method: 'get',
    path: '/api/health',
    id: 'getHealth',
    tag: 'health',
    summary: 'Whether the Docker engine and the compose v2 plugin are reachable',
    session: false,
    reply: HealthResponse,
  },
  {
    method: 'get',
    path: '/api/openapi.json',
    id: 'getOpenApi',
    tag: 'health',
    summary: 'This document',
    session: false,
    reply: OpenApiDocument,
  },
  {
    method: 'get',
    path: '/api/auth/status',
    id: 'getAuthStatus',
    tag: 'auth',
    summary: 'Whether first-run setup is needed, and the logged-in user',
    session: false,
    reply: AuthStatus,
  },
  {
    method: 'post',
    path: '/api/auth/setup',
    id: 'setup',
    tag: 'auth',
    summary: 'Creates the first user and logs in; refused once a user exists',
    session: false,
    body: SetupRequest,
    status: 201,
    reply: UserReply,
    errors: ['FORBIDDEN'],
  },
  {
    method: 'post',
    path: '/api/auth/login',
    id: 'login',
    tag: 'auth',
    summary: 'Logs in: a new session cookie',
    session: false,
    body: Credentials,
    reply: UserReply,
    errors: ['UNAUTHENTICATED', 'THROTTLED'],
  },
  {
    method: 'post',
    path: '/api/auth/logout',
    id: 'logout',
    tag: 'auth',
    summary: 'Ends the session (also without one)',
    session: false,
    reply: Ok,
  },
  {
    method: 'post',
    path: '/api/auth/password',
    id: 'changePassword',
    tag: 'auth',
    summary: "Changes the user's password and ends the user's other sessions",
    session: true,
    body: ChangePasswordRequest,
    reply: Ok,
    errors: ['FORBIDDEN', 'THROTTLED'],
  },
  {
    method: 'get',
    path: '/api/stacks',
    id: 'listStacks',
    tag: 'stacks',
    summary: 'Every stack: managed ones first, then compose projects with no folder (managed: false)',
    session: true,
    reply: StackList,
  },
  {
    method: 'post',
    path: '/api/stacks',
    id: 'createStack',
    tag: 'stacks',
    summary: 'Creates a stack folder with its compose file (and .env)',
    session: true,
    body: CreateStackRequest,
    status: 201,
    reply: StackDetail,
    errors: ['STACK_EXISTS', 'INVALID_COMPOSE'],
    description: 'INVALID_COMPOSE when the YAML does not parse; schema problems do not block a create.',
  },
  {
    method: 'get',
    path: '/api/stacks/:name',
    id: 'getStack',
    tag: 'stacks',
    summary: 'A stack with its compose text, .env, etag and containers',
    session: true,
    params: name,
    reply: StackDetail,
    errors: ['STACK_NOT_FOUND'],
  },
  {
    method: 'put',
    path: '/api/stacks/:name',
    id: 'saveStack',
    tag: 'stacks',
    summary: 'Saves the compose text (and .env when given) if the etag is current',
    session: true,
    params: name,
    body: SaveStackRequest,
    reply: SaveStackResponse,
    errors: ['STACK_NOT_FOUND', 'CONFLICT', 'INVALID_COMPOSE'],
    description:
      'CONFLICT (stale etag) carries `details.current = {yaml, env, etag}`. INVALID_COMPOSE when the ' +
      'YAML does not parse; schema problems are returned with a successful save.',
  },
  {
    method: 'delete',
    path: '/api/stacks/:name',
    id: 'deleteStack',
    tag: 'stacks',
    summary: '`compose down --remove-orphans`, then the folder moves to .trash/',
    session: true,
    params: name,
    status: 202,
    reply: DeleteReply,
    errors: ['STACK_NOT_FOUND', 'STACK_BUSY'],
  },
  {
    method: 'post',
    path: '/api/stacks/:name/:action',
    id: 'runAction',
    tag: 'stacks',
    summary: 'Starts a compose action as a job; its output goes to terminal `stack:<name>`',
    session: true,
    params: { name: StackName, action: StackAction },
    status: 202,
    reply: ActionResponse,
    errors: ['STACK_NOT_FOUND', 'STACK_BUSY', 'INVALID_COMPOSE', 'COMPOSE_UNAVAILABLE'],
    description:
      'INVALID_COMPOSE when Berth or `docker compose config` refuses the stack (actions that read the file).',
  },
  {
    method: 'get',
    path: '/api/jobs/:id',
    id: 'getJob',
    tag: 'jobs',
    summary: 'A job of a compose action, with its output',
    session: true,
    params: { id: JobId },
    reply: JobReply,
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/api/stacks/:name/files',
    id: 'listStackFiles',
    tag: 'stacks',
    summary: "The stack's override file and the include/extends files inside its folder",
    session: true,
    params: name,
    reply: StackFileList,
    errors: ['STACK_NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/api/stacks/:name/files/:file',
    id: 'getStackFile',
    tag: 'stacks',
    summary: 'One of those files (the override file may not exist yet: empty content and etag)',
    session: true,
    params: { name: StackName, file: StackFilePath },
    reply: StackFileContent,
    errors: ['STACK_NOT_FOUND', 'NOT_FOUND'],
  },
  {
    method: 'put',
    path: '/api/stacks/:name/files/:file',
    id: 'saveStackFile',
    tag: 'stacks',
    summary: 'Saves one of those files if the etag is current; compose then judges the whole folder',
    session: true,
    params: { name: StackName, file: StackFilePath },
    body: SaveStackFileRequest,
    reply: SaveStackFileResponse,
    errors: ['STACK_NOT_FOUND', 'NOT_FOUND', 'CONFLICT'],
    description:
      'CONFLICT (stale etag) carries `details.current = {content, etag}`. `file` is URL-encoded (`/` as %2F).',
  },
  {
    method: 'get',
    path: '/api/stacks/:name/history',
    id: 'listHistory',
    tag: 'history',
    summary: 'Saved versions, newest first (the last 100)',
    session: true,
    params: name,
    reply: HistoryList,
    errors: ['STACK_NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/api/stacks/:name/history/:id',
    id: 'getHistoryVersion',
    tag: 'history',
    summary: 'One saved version',
    session: true,
    params: { name: StackName, id: HistoryId },
    reply: HistoryVersion,
    errors: ['STACK_NOT_FOUND', 'NOT_FOUND'],
  },
  {
    method: 'post',
    path: '/api/stacks/:name/history/:id/restore',
    id: 'restoreHistoryVersion',
    tag: 'history',
    summary: 'Saves that version again (the current one goes to history first)',
    session: true,
    params: { name: StackName, id: HistoryId },
    reply: SaveStackResponse,
    errors: ['STACK_NOT_FOUND', 'NOT_FOUND'],
  },
  {
    method: 'post',
    path: '/api/validate',
    id: 'validate',
    tag: 'compose',
    summary: 'YAML, compose-spec and compose-rule problems with line and column',
    description:
      '`stack`: its .env (unless `env` is given) and files count; `env`: the .env text to interpolate with.',
    session: true,
    body: ValidateRequest,
    reply: ValidateReply,
  },
  {
    method: 'post',
    path: '/api/convert',
    id: 'convert',
    tag: 'compose',
    summary: '`docker run` commands to compose services, optionally added to existing compose text',
    session: true,
    body: ConvertRequest,
    reply: ConvertResponse,
    errors: ['INVALID_COMPOSE'],
    description:
      'BAD_REQUEST when a command cannot be read as `docker run`; INVALID_COMPOSE when `into` is not ' +
      'valid YAML or not a compose mapping the services can be added to.',
  },
];

interface SocketEventDoc {
  description: string;
  payload: z.ZodType;
}
interface ClientEventDoc extends SocketEventDoc {
  /** Data of a successful ack; null when the ack carries none. */
  ack: z.ZodType | null;
  ackRequired: boolean;
}

const serverEvents: Record<keyof ServerToClientEvents, SocketEventDoc> = {
  'stacks:list': { description: 'every stack, once on connect', payload: StackList },
  'stack:changed': {
    description: 'a stack whose summary changed (files or engine), coalesced over ~40 ms',
    payload: StackSummary,
  },
  'stack:removed': { description: 'a stack that is gone', payload: StackRemoved },
  'terminal:output': { description: 'output of a joined terminal', payload: TerminalOutput },
  'terminal:exit': { description: 'the process of a joined terminal ended', payload: TerminalExit },
};

const clientEvents: Record<keyof ClientToServerEvents, ClientEventDoc> = {
  'terminal:join': {
    description: 'joins a terminal (`stack:<name>` or `exec:<uuid>`): the scrollback, then live output',
    payload: TerminalJoin,
    ack: TerminalJoinReply,
    ackRequired: true,
  },
  'terminal:leave': {
    description: 'stops the output of a terminal',
    payload: TerminalLeave,
    ack: null,
    ackRequired: false,
  },
  'terminal:input': {
    description: 'keystrokes for an exec terminal; FORBIDDEN for action terminals (read-only)',
    payload: TerminalInput,
    ack: null,
    ackRequired: false,
  },
  'terminal:resize': {
    description: 'resizes a terminal',
    payload: TerminalResize,
    ack: null,
    ackRequired: false,
  },
  'exec:open': {
    description: 'a shell in a running container of a stack; NOT_FOUND unknown service, CONFLICT not running',
    payload: ExecOpen,
    ack: ExecOpenReply,
    ackRequired: true,
  },
};

type Json = Record<string, unknown>;

function componentSchemas(): { refOf: (schema: z.ZodType) => Json; schemas: Record<string, Json> } {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) registry.add(schema, { id });
  // Input view: requests drop unknown keys rather than refuse them, so no additionalProperties.
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: 'input' });
  const out: Record<string, Json> = {};
  for (const [id, s] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s as Json;
    out[id] = rest;
  }
  const refOf = (schema: z.ZodType): Json => {
    const id = registry.get(schema)?.id;
    if (!id) throw new Error('openapi: a schema the document uses is not in `named`');
    return { $ref: `#/components/schemas/${id}` };
  };
  return { refOf, schemas: out };
}

const statusOf = (code: ErrorCode): number => new AppError(code, '').status;

function errorResponses(op: ApiOperation, refOf: (s: z.ZodType) => Json): Record<string, Json> {
  const codes = new Set<ErrorCode>(op.errors ?? []);
  if (op.params || op.body) codes.add('BAD_REQUEST');
  if (op.body) codes.add('PAYLOAD_TOO_LARGE');
  if (op.session) codes.add('UNAUTHENTICATED');
  codes.add('INTERNAL');
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ErrorCode.options.filter((c) => codes.has(c))) {
    const status = statusOf(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, Json> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const response: Json = {
      description: list.map((c) => `\`${c}\``).join(', '),
      content: { 'application/json': { schema: refOf(ApiError) } },
    };
    if (status === 429) {
      response.headers = { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } };
    }
    out[String(status)] = response;
  }
  return out;
}

const openApiPath = (expressPath: string): string => expressPath.replace(/:(\w+)/g, '{$1}');

/** The OpenAPI 3.1 document of the HTTP API, with the socket.io events under x-socket-events. */
export function buildOpenApiDocument(version: string): Json {
  const { refOf, schemas } = componentSchemas();
  const paths: Record<string, Record<string, Json>> = {};
  for (const op of API_OPERATIONS) {
    const operation: Json = {
      operationId: op.id,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      ...(op.session ? {} : { security: [] }),
      ...(op.params
        ? {
            parameters: Object.entries(op.params).map(([param, schema]) => ({
              name: param,
              in: 'path',
              required: true,
              schema: refOf(schema),
            })),
          }
        : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: refOf(op.body) } } } }
        : {}),
      responses: {
        [String(op.status ?? 200)]: {
          description: op.status === 202 ? 'accepted: the work runs as a job' : 'success',
          content: { 'application/json': { schema: refOf(op.reply) } },
        },
        ...errorResponses(op, refOf),
      },
    };
    (paths[openApiPath(op.path)] ??= {})[op.method] = operation;
  }

  const ack = (data: z.ZodType | null): Json => ({
    oneOf: [
      {
        type: 'object',
        properties: { ok: { const: true }, data: data ? refOf(data) : { type: 'null' } },
        required: ['ok', 'data'],
      },
      refOf(AckError),
    ],
  });

  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Berth',
      version,
      description:
        'HTTP API of Berth, a web UI for Docker Compose stacks kept as folders on disk. JSON in and ' +
        `out, bodies up to 1 MiB. Every route needs a session (cookie \`${SESSION_COOKIE}\`, set by ` +
        'setup and login) except those marked with an empty security list. Errors are ' +
        '`{"error": {"code", "message", "details?"}}`. The socket.io events (same origin, same ' +
        'session cookie) are under `x-socket-events`.',
    },
    tags: ['health', 'auth', 'stacks', 'jobs', 'history', 'compose'].map((t) => ({ name: t })),
    security: [{ session: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } },
    },
    'x-socket-events': {
      description:
        'socket.io on the same origin and path /socket.io; a connection without a session is refused ' +
        '(connect_error UNAUTHENTICATED), so is a browser Origin that does not match the host. ' +
        'Client events are validated; an unknown event with an ack gets BAD_REQUEST.',
      serverToClient: Object.fromEntries(
        Object.entries(serverEvents).map(([event, e]) => [
          event,
          { description: e.description, payload: refOf(e.payload) },
        ]),
      ),
      clientToServer: Object.fromEntries(
        Object.entries(clientEvents).map(([event, e]) => [
          event,
          {
            description: e.description,
            payload: refOf(e.payload),
            ack: ack(e.ack),
            ackRequired: e.ackRequired,
          },
        ]),
      ),
    },
  };
}
