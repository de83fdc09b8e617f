// The schemas of every HTTP operation, keyed by the ids of routes.ts. Routes register from this
// table, route() checks its access, OpenAPI is generated from it and the SPA's client is typed
// from it: an operation cannot exist in one place and not the others.
import { z } from 'zod';
import {
  ActionResponse,
  ChangePasswordRequest,
  ConvertRequest,
  ConvertResponse,
  CreateStackRequest,
  Credentials,
  HealthResponse,
  Username,
  SaveStackRequest,
  SaveStackResponse,
  SetupRequest,
  StackAction,
  ValidateRequest,
} from './api.js';
import type { ErrorCode } from './errors.js';
import type { OperationId } from './routes.js';
import { HistoryEntry, Problem, StackDetail, StackName, StackSummary } from './stack.js';
import {
  BackupId,
  BackupList,
  ContainerActionQuery,
  ContainerActionReply,
  ContainerDetail,
  ContainerId,
  CreateNetworkRequest,
  ImageId,
  ImageList,
  InspectQuery,
  JobAccepted,
  NetworkId,
  NetworkList,
  NetworkSummary,
  PruneImagesReply,
  PruneImagesRequest,
  RemoveImageQuery,
  RemoveImageReply,
  ResourceJob,
  ResourceJobId,
  RestoreRequest,
  VolumeDetail,
  VolumeList,
  VolumeName,
} from './resources.js';
import { LogsDownloadQuery } from './logs.js';
import {
  SaveStackFileRequest,
  SaveStackFileResponse,
  StackFileContent,
  StackFileList,
  StackFilePath,
} from './stack-files.js';
import { HostInfo } from './stats.js';
import { CreatedHost, CreateHostRequest, HostId, HostList } from './hosts.js';
import {
  CreateFromTemplateReply,
  CreateFromTemplateRequest,
  ImportTemplatesReply,
  ImportTemplatesRequest,
  SaveTemplateRequest,
  TemplateDetail,
  TemplateId,
  TemplateList,
} from './templates.js';
import {
  CheckJob,
  CheckReply,
  CheckRequest,
  ImageCheckList,
  NotificationSettings,
  NotificationTestReply,
  NotificationTestRequest,
  UpdateHistoryList,
} from './updates.js';
import {
  AcceptInviteRequest,
  AuditList,
  AuditQuery,
  AuthUser,
  CreateTokenRequest,
  CreateTokenReply,
  CreateUserReply,
  CreateUserRequest,
  EndedSessions,
  SessionList,
  Settings,
  TokenId,
  TokenList,
  TokenQuery,
  UpdateUserRequest,
  UserInfo,
  UserList,
} from './users.js';
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
export const UserReply = z.object({ user: AuthUser });
export const AuthStatusReply = z.object({ setupRequired: z.boolean(), user: AuthUser.nullable() });
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
export const HistoryVersion = z.object({
  yaml: z.string(),
  env: z.string().nullable(),
  savedAt: z.string(),
  /** The override, include or extends file this version is of (`yaml` is its text); absent: the main file. */
  file: z.string().optional(),
});
export type HistoryVersion = z.infer<typeof HistoryVersion>;
export const StackList = z.array(StackSummary);
export const HistoryList = z.array(HistoryEntry);
export const OpenApiDocument = z.object({ openapi: z.literal('3.1.0') }).loose();
export const HealthBrief = z.object({ ok: z.boolean() });
export const HealthReply = z.union([HealthResponse, HealthBrief]);

/** A reply that is not JSON (a download): the handler writes it; the table says its type. */
export interface FileReply {
  /** Its content type(s). */
  file: string | readonly string[];
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
const volume = { name: VolumeName };
const backup = { name: VolumeName, id: BackupId };
/** Kill and remove are operations of their own: they need `edit`, the others `operate`. */
export const LifecycleAction = z.enum(['start', 'stop', 'restart']);

export const OPERATIONS = {
  getHealth: {
    reply: HealthReply,
    description: 'Without a session only `{ok}`: versions are not told to strangers.',
  },
  getOpenApi: { reply: OpenApiDocument },
  getAuthStatus: {
    reply: AuthStatusReply,
    description: "`user` carries the role, its permissions and the user's stack scope.",
  },
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
  validate: {
    body: ValidateRequest,
    reply: ValidateReply,
    description:
      '`stack`: its .env (unless `env` is given) and files count; `env`: the .env text to interpolate with.',
  },
  listStackFiles: { params: name, reply: StackFileList, errors: ['STACK_NOT_FOUND'] },
  getStackFile: {
    params: { name: StackName, file: StackFilePath },
    reply: StackFileContent,
    errors: ['STACK_NOT_FOUND', 'NOT_FOUND'],
  },
  saveStackFile: {
    params: { name: StackName, file: StackFilePath },
    body: SaveStackFileRequest,
    reply: SaveStackFileResponse,
    errors: ['STACK_NOT_FOUND', 'NOT_FOUND', 'CONFLICT'],
    description:
      'CONFLICT (stale etag) carries `details.current = {content, etag}`. `file` is URL-encoded (`/` as %2F).',
  },
  convert: {
    body: ConvertRequest,
    reply: ConvertResponse,
    errors: ['INVALID_COMPOSE'],
    description:
      'BAD_REQUEST when a command cannot be read as `docker run`; INVALID_COMPOSE when `into` is not ' +
      'valid YAML or not a compose mapping the services can be added to.',
  },
  getHost: {
    reply: HostInfo,
    description:
      "Host figures come from /proc and statfs of the stacks folder and of Docker's data root; " +
      '`containers` and `images` are null while the engine cannot be reached.',
  },
  listImageChecks: { reply: ImageCheckList },
  checkUpdates: {
    body: CheckRequest.optional(),
    status: 202,
    reply: CheckReply,
    errors: ['STACK_NOT_FOUND'],
    description: 'Without a body (or without `stack`) every managed stack is checked.',
  },
  getUpdateCheck: { params: { id: JobId }, reply: CheckJob, errors: ['NOT_FOUND'] },
  listUpdateHistory: { params: name, reply: UpdateHistoryList, errors: ['STACK_NOT_FOUND'] },
  getNotificationSettings: { reply: NotificationSettings },
  saveNotificationSettings: { body: NotificationSettings, reply: NotificationSettings },
  testNotifications: { body: NotificationTestRequest, reply: NotificationTestReply },
  listImages: { reply: ImageList },
  removeImage: {
    params: { id: ImageId },
    query: RemoveImageQuery,
    reply: RemoveImageReply,
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  pruneImages: { body: PruneImagesRequest, reply: PruneImagesReply },
  listVolumes: { reply: VolumeList },
  getVolume: { params: volume, reply: VolumeDetail, errors: ['NOT_FOUND'] },
  removeVolume: { params: volume, reply: Ok, errors: ['NOT_FOUND', 'CONFLICT'] },
  backupVolume: { params: volume, status: 202, reply: JobAccepted, errors: ['NOT_FOUND', 'CONFLICT'] },
  listBackups: { params: volume, reply: BackupList },
  downloadBackup: { params: backup, reply: { file: 'application/gzip' }, errors: ['NOT_FOUND'] },
  deleteBackup: { params: backup, reply: Ok, errors: ['NOT_FOUND'] },
  restoreBackup: {
    params: backup,
    body: RestoreRequest,
    status: 202,
    reply: JobAccepted,
    errors: ['NOT_FOUND', 'CONFLICT'],
    description:
      'Without `confirm: true` a volume in use is a 409 naming the containers that would be stopped.',
  },
  getVolumeJob: { params: { id: ResourceJobId }, reply: ResourceJob, errors: ['NOT_FOUND'] },
  listNetworks: { reply: NetworkList },
  createNetwork: { body: CreateNetworkRequest, status: 201, reply: NetworkSummary, errors: ['CONFLICT'] },
  removeNetwork: { params: { id: NetworkId }, reply: Ok, errors: ['NOT_FOUND', 'CONFLICT'] },
  inspectContainer: {
    params: { id: ContainerId },
    query: InspectQuery,
    reply: ContainerDetail,
    errors: ['NOT_FOUND'],
  },
  killContainer: {
    params: { id: ContainerId },
    query: ContainerActionQuery,
    reply: ContainerActionReply,
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  removeContainer: {
    params: { id: ContainerId },
    query: ContainerActionQuery,
    reply: ContainerActionReply,
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  containerAction: {
    params: { id: ContainerId, action: LifecycleAction },
    query: ContainerActionQuery,
    reply: ContainerActionReply,
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  downloadLogs: {
    params: name,
    query: LogsDownloadQuery,
    reply: { file: ['text/plain', 'application/x-ndjson'] },
    errors: ['STACK_NOT_FOUND', 'NOT_FOUND'],
    description:
      'Oldest first. `tail` gives the newest N matching lines (searched in time windows growing ' +
      'backwards); otherwise every matching line in [since, until). `q` is plain text ' +
      '(case-insensitive) or, with `regex=true`, a case-insensitive regular expression: one that ' +
      'does not compile is BAD_REQUEST with the reason. `level` is a comma-separated list. Every ' +
      'download is logged by the server.',
  },
  // Users, tokens, audit (issue 18).
  listUsers: { reply: UserList },
  createUser: {
    body: CreateUserRequest,
    status: 201,
    reply: CreateUserReply,
    errors: ['CONFLICT'],
    description: 'Without `password`, `inviteUrl` is a one-time link (7 days) where the user sets it.',
  },
  updateUser: {
    params: { username: Username },
    body: UpdateUserRequest,
    reply: UserInfo,
    errors: ['NOT_FOUND', 'CONFLICT'],
    description: 'CONFLICT when the change would leave no enabled admin.',
  },
  deleteUser: {
    params: { username: Username },
    reply: Ok,
    errors: ['NOT_FOUND', 'CONFLICT'],
    description: 'CONFLICT when it would leave no enabled admin.',
  },
  acceptInvite: { body: AcceptInviteRequest, reply: UserReply, errors: ['NOT_FOUND'] },
  listSessions: { reply: SessionList },
  endOtherSessions: { reply: EndedSessions },
  listTokens: {
    query: TokenQuery,
    reply: TokenList,
    errors: ['FORBIDDEN'],
    description: "FORBIDDEN for another user's tokens without the admin permission.",
  },
  createToken: {
    body: CreateTokenRequest,
    status: 201,
    reply: CreateTokenReply,
    errors: ['FORBIDDEN'],
    description:
      'FORBIDDEN when the role or stacks ask for more than the caller may. Use the token as ' +
      '`Authorization: Bearer <token>` on the API and the socket handshake.',
  },
  revokeToken: { params: { id: TokenId }, reply: Ok, errors: ['NOT_FOUND'] },
  getAudit: {
    query: AuditQuery,
    reply: AuditList,
    description:
      '`format=csv` answers text/csv and `format=ndjson` application/x-ndjson (one entry a line) as a ' +
      'download instead of the JSON list. `limit` defaults to 500.',
  },
  getSettings: { reply: Settings },
  updateSettings: { body: Settings, reply: Settings },
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
  listTemplates: { reply: TemplateList },
  getTemplate: { params: { id: TemplateId }, reply: TemplateDetail, errors: ['NOT_FOUND'] },
  saveTemplate: {
    body: SaveTemplateRequest,
    status: 201,
    reply: TemplateDetail,
    errors: ['STACK_NOT_FOUND', 'CONFLICT'],
    description:
      'Variables omitted: inferred from the .env keys. CONFLICT when a user template has that name.',
  },
  deleteTemplate: {
    params: { id: TemplateId },
    reply: Ok,
    errors: ['NOT_FOUND', 'FORBIDDEN'],
    description: 'FORBIDDEN for a built-in template. The folder moves to `<dataDir>/trash/templates/`.',
  },
  importTemplates: {
    body: ImportTemplatesRequest,
    reply: ImportTemplatesReply,
    description:
      'Type 1 (container) templates become user templates; stacks from git repositories (types 2 and 3), ' +
      'Windows templates and names taken already are listed in `skipped` with the reason. A URL must be ' +
      'http(s), answer within 10 s and at most 4 MiB, and not resolve to a private or loopback address ' +
      'unless BERTH_TEMPLATE_IMPORT_PRIVATE=true.',
  },
  createStackFromTemplate: {
    body: CreateFromTemplateRequest,
    status: 201,
    reply: CreateFromTemplateReply,
    errors: ['NOT_FOUND', 'STACK_EXISTS', 'INVALID_COMPOSE'],
    description:
      'A bad value is a 400 whose `details.issues[].path` is `values.<NAME>`. Secrets left empty are ' +
      'generated (URL-safe, their length); `generated` names them.',
  },
  listHosts: { reply: HostList },
  createHost: {
    body: CreateHostRequest,
    status: 201,
    reply: CreatedHost,
    errors: ['CONFLICT'],
    description:
      'CONFLICT when the name is taken. Only the sha256 of the token is kept; the agent proves itself ' +
      'with a key pair it makes on first connection (the hub keeps only the public key).',
  },
  deleteHost: {
    params: { id: HostId },
    reply: Ok,
    errors: ['HOST_NOT_FOUND'],
    description: '`local` cannot be removed (HOST_NOT_FOUND).',
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
