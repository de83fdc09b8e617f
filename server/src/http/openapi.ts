import { z } from 'zod';
import * as api from '../../../common/api.js';
import * as errors from '../../../common/errors.js';
import { ApiError, ErrorCode } from '../../../common/errors.js';
import * as events from '../../../common/events.js';
import { CLIENT_EVENTS, SERVER_EVENTS } from '../../../common/events.js';
import * as operations from '../../../common/operations.js';
import { OPERATIONS, type OperationSchemas } from '../../../common/operations.js';
import { ROUTES, type OperationId, type RouteDef } from '../../../common/routes.js';
import * as stackFiles from '../../../common/stack-files.js';
import * as stack from '../../../common/stack.js';
import * as logs from '../../../common/logs.js';
import * as resources from '../../../common/resources.js';
import * as stats from '../../../common/stats.js';
import * as updates from '../../../common/updates.js';
import * as swarm from '../../../common/swarm.js';
import * as hosts from '../../../common/hosts.js';
import { HostId } from '../../../common/hosts.js';
import { hostedTwin } from './route.js';
import { AppError } from '../errors.js';
import { SESSION_COOKIE } from './auth-routes.js';

const AckError = z.object({
  ok: z.literal(false),
  error: z.object({ code: ErrorCode, message: z.string() }),
});

/** Modules of common/ whose exported schemas are named components (their export name is the id). */
const SCHEMA_MODULES: Array<Record<string, unknown>> = [
  stack,
  api,
  operations,
  events,
  errors,
  stats,
  updates,
  resources,
  logs,
  stackFiles,
  swarm,
  hosts,
  { AckError },
];

type Json = Record<string, unknown>;

function componentSchemas(): { refOf: (schema: z.ZodType) => Json; schemas: Record<string, Json> } {
  const registry = z.registry<{ id: string }>();
  for (const mod of SCHEMA_MODULES) {
    for (const [id, value] of Object.entries(mod)) {
      if (value instanceof z.ZodType && !registry.has(value)) registry.add(value, { id });
    }
  }
  // Schemas written inline in the tables get the operation's name and their part.
  for (const [id, spec] of Object.entries(OPERATIONS) as Array<[OperationId, OperationSchemas]>) {
    const base = id[0]?.toUpperCase() + id.slice(1);
    const parts: Array<[string, unknown]> = [
      ['Body', spec.body],
      ['Query', spec.query],
      ['Reply', spec.reply],
      ...Object.entries(spec.params ?? {}).map(([k, v]): [string, unknown] => [`Param${k}`, v]),
    ];
    for (const [part, schema] of parts) {
      if (schema instanceof z.ZodType && !registry.has(schema)) registry.add(schema, { id: base + part });
    }
  }
  // Input view: requests drop unknown keys rather than refuse them, so no additionalProperties.
  const { schemas } = z.toJSONSchema(registry, { uri: (id) => `#/components/schemas/${id}`, io: 'input' });
  const out: Record<string, Json> = {};
  for (const [id, s] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = s as Json;
    out[id] = rest;
  }
  const refOf = (schema: z.ZodType): Json => {
    const id = registry.get(schema)?.id;
    if (!id) throw new Error('openapi: a schema the document uses has no name');
    return { $ref: `#/components/schemas/${id}` };
  };
  return { refOf, schemas: out };
}

const statusOf = (code: ErrorCode): number => new AppError(code, '').status;

function errorResponses(
  def: RouteDef,
  op: OperationSchemas,
  refOf: (s: z.ZodType) => Json,
): Record<string, Json> {
  const codes = new Set<ErrorCode>(op.errors ?? []);
  if (op.params || op.body || op.query) codes.add('BAD_REQUEST');
  if (op.body) codes.add('PAYLOAD_TOO_LARGE');
  if (def.access !== 'public') codes.add('UNAUTHENTICATED');
  if (def.access !== 'public' && def.access !== 'user') codes.add('FORBIDDEN');
  if (def.method !== 'get') codes.add('CSRF');
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
  for (const id of Object.keys(ROUTES) as OperationId[]) {
    const def: RouteDef = ROUTES[id];
    const op: OperationSchemas = OPERATIONS[id];
    const parameters = [
      ...Object.entries(op.params ?? {}).map(([param, schema]) => ({
        name: param,
        in: 'path',
        required: true,
        schema: refOf(schema),
      })),
      ...Object.entries(op.query?.shape ?? {}).map(([param, schema]) => ({
        name: param,
        in: 'query',
        required: !(schema as z.ZodType).safeParse(undefined).success,
        schema: z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }),
      })),
    ];
    const success =
      'file' in op.reply
        ? {
            description: 'a download (attachment)',
            content: Object.fromEntries(
              [op.reply.file].flat().map((t) => [t, { schema: { type: 'string' } }]),
            ),
          }
        : {
            description: op.status === 202 ? 'accepted: the work runs as a job' : 'success',
            content: { 'application/json': { schema: refOf(op.reply) } },
          };
    const operation: Json = {
      operationId: id,
      tags: [def.tag],
      summary: def.summary,
      'x-permission': def.access,
      ...(op.description ? { description: op.description } : {}),
      ...(def.access === 'public' ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: refOf(op.body) } } } }
        : {}),
      responses: {
        [String(op.status ?? 200)]: success,
        ...errorResponses(def, op, refOf),
      },
    };
    (paths[openApiPath(def.path)] ??= {})[def.method] = operation;
    // The same operation on any host (`local` is this Berth; another host answers through its agent).
    if (def.hosted) {
      const hostErrors = errorResponses(
        def,
        { ...op, errors: [...(op.errors ?? []), 'HOST_NOT_FOUND', 'HOST_OFFLINE', 'HOST_TIMEOUT'] },
        refOf,
      );
      (paths[openApiPath(`/api${hostedTwin(def.path)}`)] ??= {})[def.method] = {
        ...operation,
        operationId: `${id}OnHost`,
        'x-hosted': true,
        description:
          `\`${def.method.toUpperCase()} ${def.path}\` on the host \`host\` (\`local\`: this Berth).` +
          (op.description ? ` ${op.description}` : ''),
        parameters: [{ name: 'host', in: 'path', required: true, schema: refOf(HostId) }, ...parameters],
        responses: { [String(op.status ?? 200)]: success, ...hostErrors },
      };
    }
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
        'setup and login) except those marked with an empty security list; `x-permission` names what ' +
        "each operation needs. A state-changing request with the cookie must come from Berth's own " +
        'origin with a JSON body, else 403 `CSRF`; a request with `Authorization: Bearer <API token>` ' +
        "is judged by the token alone (its role within its owner's, its stacks within theirs). " +
        "An operation naming a stack outside the caller's stacks answers 404 `STACK_NOT_FOUND`. Errors are " +
        '`{"error": {"code", "message", "details?"}}`. The socket.io events (same origin, same ' +
        'session cookie) are under `x-socket-events`.',
    },
    tags: [...new Set(Object.values(ROUTES).map((r) => r.tag))].map((t) => ({ name: t })),
    security: [{ session: [] }, { bearer: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token (`berth_…`, `POST /api/tokens`); such requests need no Origin',
        },
      },
    },
    'x-socket-events': {
      description:
        'socket.io on the same origin and path /socket.io; a connection without a session is refused ' +
        '(connect_error UNAUTHENTICATED), so is a browser Origin that does not match the host. ' +
        'Client events are validated; an unknown event with an ack gets BAD_REQUEST.',
      serverToClient: Object.fromEntries(
        Object.entries(SERVER_EVENTS).map(([event, e]) => [
          event,
          { description: e.description, payload: refOf(e.payload) },
        ]),
      ),
      clientToServer: Object.fromEntries(
        Object.entries(CLIENT_EVENTS).map(([event, e]) => [
          event,
          {
            description: e.description,
            'x-permission': e.access,
            payload: refOf(e.payload),
            ack: ack(e.ack),
            ackRequired: e.ackRequired,
          },
        ]),
      ),
    },
  };
}
