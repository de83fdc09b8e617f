// The schemas of every HTTP operation, keyed by the ids of routes.ts. Routes register from this
// table, route() checks its access, OpenAPI is generated from it and the SPA's client is typed
// from it: an operation cannot exist in one place and not the others.
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
} from './api.js';
import type { ErrorCode } from './errors.js';
import type { OperationId } from './routes.js';
import { HistoryEntry, Problem, StackDetail, StackName, StackSummary } from './stack.js';
import {
  DeployPreview,
  DeployReply,
  DeployRequest,
  NodeAvailabilityRequest,
  NodeId,
  ScaleRequest,
  ServiceLogs,
  ServiceLogsQuery,
  ServiceName,
  SwarmInfo,
  SwarmServiceInfo,
  SwarmStackDetail,
} from './swarm.js';

export const Ok = z.object({ ok: z.literal(true) });
export const UserReply = z.object({ user: SessionUser });
export const JobIdReply = z.object({ jobId: z.uuid() });
export const ValidateReply = z.object({ problems: z.array(Problem) });
export const JobId = z.uuid();
export const HistoryId = z.string().max(64);
export const JobState = z.enum(['running', 'succeeded', 'failed']);
export const Job = z.object({
  id: z.uuid(),
  stack: z.string(),
  action: z.string(),
  state: JobState,
  exitCode: z.number().int().nullable(),
  output: z.string().describe('the output so far, its oldest part dropped past 512 KiB'),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type Job = z.infer<typeof Job>;
export const HistoryVersion = z.object({ yaml: z.string(), env: z.string().nullable(), savedAt: z.string() });
export type HistoryVersion = z.infer<typeof HistoryVersion>;
export const StackList = z.array(StackSummary);
export const HistoryList = z.array(HistoryEntry);
export const OpenApiDocument = z.object({ openapi: z.literal('3.1.0') }).loose();
export const HealthBrief = z.object({ ok: z.boolean() });
export const HealthReply = z.union([HealthResponse, HealthBrief]);

/** A reply that is not JSON (a download): the handler writes it; the table says its type. */
export interface FileReply {
  file: string;
}

export interface OperationSchemas {
  /** One schema per path parameter, in path order. */
  params?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Status of a success; 200 unless given. */
  status?: number;
  reply: z.ZodType | FileReply;
  /** Failures beyond the ones every operation of its kind has (bad input, 401, 403, internal). */
  errors?: readonly ErrorCode[];
  description?: string;
}

const name = { name: StackName };

export const OPERATIONS = {
  getHealth: {
    reply: HealthReply,
    description: 'Without a session only `{ok}`: versions are not told to strangers.',
  },
  getOpenApi: { reply: OpenApiDocument },
  getAuthStatus: { reply: AuthStatus },
  setup: { body: SetupRequest, status: 201, reply: UserReply, errors: ['FORBIDDEN'] },
  login: { body: Credentials, reply: UserReply, errors: ['UNAUTHENTICATED', 'THROTTLED'] },
  logout: { reply: Ok },
  changePassword: { body: ChangePasswordRequest, reply: Ok, errors: ['FORBIDDEN', 'THROTTLED'] },
  listStacks: { reply: StackList },
  createStack: {
    body: CreateStackRequest,
    status: 201,
    reply: StackDetail,
    errors: ['STACK_EXISTS', 'INVALID_COMPOSE'],
    description: 'INVALID_COMPOSE when the YAML does not parse; schema problems do not block a create.',
  },
  getStack: { params: name, reply: StackDetail, errors: ['STACK_NOT_FOUND'] },
  saveStack: {
    params: name,
    body: SaveStackRequest,
    reply: SaveStackResponse,
    errors: ['STACK_NOT_FOUND', 'CONFLICT', 'INVALID_COMPOSE'],
    description:
      'CONFLICT (stale etag) carries `details.current = {yaml, env, etag}`. INVALID_COMPOSE when the ' +
      'YAML does not parse; schema problems are returned with a successful save.',
  },
  deleteStack: { params: name, status: 202, reply: JobIdReply, errors: ['STACK_NOT_FOUND', 'STACK_BUSY'] },
  listHistory: { params: name, reply: HistoryList, errors: ['STACK_NOT_FOUND'] },
  getHistoryVersion: {
    params: { name: StackName, id: HistoryId },
    reply: HistoryVersion,
    errors: ['STACK_NOT_FOUND', 'NOT_FOUND'],
  },
  restoreHistoryVersion: {
    params: { name: StackName, id: HistoryId },
    reply: SaveStackResponse,
    errors: ['STACK_NOT_FOUND', 'NOT_FOUND'],
    description: 'A version saved without a .env removes the .env (it goes to history first).',
  },
  runAction: {
    params: { name: StackName, action: StackAction },
    status: 202,
    reply: ActionResponse,
    errors: ['STACK_NOT_FOUND', 'STACK_BUSY', 'INVALID_COMPOSE', 'COMPOSE_UNAVAILABLE'],
  },
  getJob: { params: { id: JobId }, reply: Job, errors: ['NOT_FOUND'] },
  validate: { body: ValidateRequest, reply: ValidateReply },
  convert: {
    body: ConvertRequest,
    reply: ConvertResponse,
    errors: ['INVALID_COMPOSE'],
    description:
      'BAD_REQUEST when a command cannot be read as `docker run`; INVALID_COMPOSE when `into` is not ' +
      'valid YAML or not a compose mapping the services can be added to.',
  },
  deployStack: {
    params: name,
    body: DeployRequest,
    status: 202,
    reply: DeployReply,
    errors: ['STACK_NOT_FOUND', 'STACK_BUSY', 'INVALID_COMPOSE', 'CONFLICT', 'COMPOSE_UNAVAILABLE'],
    description:
      'INVALID_COMPOSE when the preflight has an error or compose cannot render the file ' +
      '(`details.findings`); CONFLICT when it has warnings and `confirm` is not true ' +
      '(`details.confirmRequired`), or when the engine is not a swarm manager.',
  },
  previewDeploy: {
    params: name,
    reply: DeployPreview,
    errors: ['STACK_NOT_FOUND'],
    description: 'The rendered file carries the values of .env.',
  },
  getStackSwarm: { params: name, reply: SwarmStackDetail, errors: ['STACK_NOT_FOUND'] },
  scaleService: {
    params: { name: StackName, service: ServiceName },
    body: ScaleRequest,
    reply: SwarmServiceInfo,
    errors: ['NOT_FOUND', 'CONFLICT'],
    description: 'CONFLICT for a global service or when the engine is not a swarm manager.',
  },
  getServiceLogs: {
    params: { name: StackName, service: ServiceName },
    query: ServiceLogsQuery,
    reply: ServiceLogs,
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  getSwarm: {
    reply: SwarmInfo,
    description: 'Berth never runs `docker swarm init`; `message` says why not active.',
  },
  setNodeAvailability: {
    params: { id: NodeId },
    body: NodeAvailabilityRequest,
    reply: SwarmInfo,
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
} as const satisfies { [K in OperationId]: OperationSchemas };

type Ops = typeof OPERATIONS;
type SchemaOut<S> = S extends z.ZodType ? z.output<S> : never;
type SchemaIn<S> = S extends z.ZodType ? z.input<S> : never;

/** What a successful call of `K` answers (a download answers no JSON: `never`). */
export type ReplyOf<K extends OperationId> = SchemaOut<Ops[K]['reply']>;
export type BodyOf<K extends OperationId> = Ops[K] extends { body: infer B } ? SchemaIn<B> : undefined;
export type QueryOf<K extends OperationId> = Ops[K] extends { query: infer Q } ? SchemaIn<Q> : undefined;
export type ParamsOf<K extends OperationId> = Ops[K] extends { params: infer P }
  ? { [N in keyof P]: SchemaIn<P[N]> }
  : undefined;
/** The parsed inputs the server's handler of `K` receives. */
export type ParsedParams<K extends OperationId> = Ops[K] extends { params: infer P }
  ? { [N in keyof P]: SchemaOut<P[N]> }
  : undefined;
export type ParsedBody<K extends OperationId> = Ops[K] extends { body: infer B } ? SchemaOut<B> : undefined;
export type ParsedQuery<K extends OperationId> = Ops[K] extends { query: infer Q } ? SchemaOut<Q> : undefined;
