// Docker Swarm stacks: the target a compose file declares, the preflight before a deploy, and
// what the engine's orchestrator says about services, tasks and nodes.
import { z } from 'zod';
import { OptionalHost } from './hosts.js';

/** Where a stack runs: `compose` on this host (default) or `swarm` (`x-berth: {target: swarm}`). */
export const StackTarget = z.enum(['compose', 'swarm']);
export type StackTarget = z.infer<typeof StackTarget>;

/** One thing Swarm ignores or breaks in a compose file; lines and columns are 1-based. */
export const PreflightFinding = z.object({
  severity: z.enum(['error', 'warning']),
  code: z.enum([
    'build',
    'container_name',
    'depends_on',
    'restart',
    'relative_bind',
    'privileged',
    'devices',
    'host_ip_port',
    'not_swarm_target',
    'yaml',
  ]),
  service: z.string().nullable(),
  message: z.string(),
  line: z.number().int().min(1),
  column: z.number().int().min(1),
});
export type PreflightFinding = z.infer<typeof PreflightFinding>;

export const SwarmNode = z.object({
  id: z.string(),
  hostname: z.string(),
  role: z.enum(['manager', 'worker']),
  availability: z.enum(['active', 'pause', 'drain']),
  /** ready | down | disconnected | unknown */
  state: z.string(),
  address: z.string().nullable(),
  engineVersion: z.string().nullable(),
  leader: z.boolean(),
  labels: z.record(z.string(), z.string()),
});
export type SwarmNode = z.infer<typeof SwarmNode>;

export const SwarmInfo = z.object({
  /** The engine is part of a swarm (as manager or worker). */
  active: z.boolean(),
  /** This engine can manage the swarm (deploy, scale, nodes): a manager. */
  manager: z.boolean(),
  /** Why nothing can be done, when active && manager is not true. */
  message: z.string().nullable(),
  nodeId: z.string().nullable(),
  nodes: z.array(SwarmNode),
});
export type SwarmInfo = z.infer<typeof SwarmInfo>;

export const SwarmTask = z.object({
  id: z.string(),
  slot: z.number().int().nullable(),
  nodeId: z.string().nullable(),
  node: z.string().nullable().describe('hostname of the node, when known'),
  /** new | pending | assigned | accepted | preparing | starting | running | complete | failed | rejected | shutdown | orphaned ... */
  state: z.string(),
  desiredState: z.string(),
  message: z.string(),
  error: z.string().nullable(),
  updatedAt: z.string(),
});
export type SwarmTask = z.infer<typeof SwarmTask>;

export const SwarmServiceInfo = z.object({
  id: z.string(),
  /** The compose service name (without the `<stack>_` prefix). */
  service: z.string(),
  name: z.string(),
  image: z.string(),
  /** The `@sha256:` digest the service pins, or null. */
  digest: z.string().nullable(),
  mode: z.enum(['replicated', 'global', 'other']),
  desired: z.number().int(),
  running: z.number().int(),
  /** The engine's UpdateStatus.State (updating, completed, paused, rollback_started ...) or null. */
  updateState: z.string().nullable(),
  updateMessage: z.string().nullable(),
  /** The newest error a task of this service reported, or null. */
  lastError: z.string().nullable(),
  /** Newest first: current tasks and a little history. */
  tasks: z.array(SwarmTask),
});
export type SwarmServiceInfo = z.infer<typeof SwarmServiceInfo>;

export const SwarmStackDetail = z.object({
  stack: z.string(),
  target: StackTarget,
  swarm: SwarmInfo.omit({ nodes: true }),
  services: z.array(SwarmServiceInfo),
});
export type SwarmStackDetail = z.infer<typeof SwarmStackDetail>;

export const DeployPreview = z.object({
  target: StackTarget,
  swarmActive: z.boolean(),
  /** The compose file with the stack's .env interpolated, as `docker stack deploy` will read it; null when it cannot be rendered. */
  rendered: z.string().nullable(),
  renderError: z.string().nullable(),
  findings: z.array(PreflightFinding),
  /** Some finding is an error: deploy is refused. */
  blocked: z.boolean(),
  /** Only warnings: deploy needs `confirm: true`. */
  needsConfirm: z.boolean(),
});
export type DeployPreview = z.infer<typeof DeployPreview>;

export const DeployRequest = z.object({
  /** Deploy despite warnings of the preflight (errors always block). */
  confirm: z.boolean().optional(),
});
export type DeployRequest = z.infer<typeof DeployRequest>;

export const DeployReply = z.object({
  jobId: z.string(),
  terminal: z.string(),
  findings: z.array(PreflightFinding),
});
export type DeployReply = z.infer<typeof DeployReply>;

export const ScaleRequest = z.object({ replicas: z.number().int().min(0).max(1000) });
export type ScaleRequest = z.infer<typeof ScaleRequest>;

export const NodeAvailabilityRequest = z.object({ availability: z.enum(['active', 'pause', 'drain']) });
export type NodeAvailabilityRequest = z.infer<typeof NodeAvailabilityRequest>;

/** A compose service name as compose allows it. */
export const ServiceName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, 'not a service name');
/** A swarm node id (25 lower-case alphanumerics) or hostname. */
export const NodeId = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, 'not a node id');

export const ServiceLogsQuery = z.object({
  tail: z.coerce.number().int().min(1).max(5000).default(200),
});
export const ServiceLogs = z.object({
  text: z.string().describe('stdout and stderr of the tasks, timestamped'),
});

export const SwarmChanged = z.object({ stack: z.string(), host: OptionalHost });
