import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { followJsonLines } from '../engine/json-lines.js';

/** The label `docker stack deploy` puts on everything of a stack. */
export const STACK_LABEL = 'com.docker.stack.namespace';

export interface SwarmMembership {
  /** inactive | pending | active | error | locked */
  state: string;
  manager: boolean;
  nodeId: string | null;
}

export interface EngineNode {
  id: string;
  hostname: string;
  role: 'manager' | 'worker';
  availability: 'active' | 'pause' | 'drain';
  state: string;
  address: string | null;
  engineVersion: string | null;
  leader: boolean;
  labels: Record<string, string>;
}

export interface EngineService {
  id: string;
  name: string;
  stack: string;
  image: string;
  mode: 'replicated' | 'global' | 'other';
  /** Replicas of a replicated service; null for global (desired comes from the status). */
  replicas: number | null;
  /** From the list's ServiceStatus (API 1.41): tasks running and desired right now. */
  runningTasks: number;
  desiredTasks: number;
  updateState: string | null;
  updateMessage: string | null;
}

export interface EngineTask {
  id: string;
  serviceId: string;
  slot: number | null;
  nodeId: string | null;
  state: string;
  desiredState: string;
  message: string;
  error: string | null;
  updatedAt: string;
}

export interface SwarmEvent {
  /** service | node | container */
  type: string;
  action: string;
  id: string;
  attributes: Record<string, string>;
}

export interface Subscription {
  close(): void;
}

/** The slice of the Engine API Berth's swarm support uses; faked in unit tests. */
export interface SwarmEngine {
  membership(): Promise<SwarmMembership>;
  listNodes(): Promise<EngineNode[]>;
  /** Services of stacks (label com.docker.stack.namespace), optionally of one stack. */
  listServices(stack?: string): Promise<EngineService[]>;
  /** null when the service does not exist. */
  inspectService(id: string): Promise<EngineService | null>;
  listTasks(serviceIds: string[]): Promise<EngineTask[]>;
  /** Sets the replicas of a replicated service. */
  scale(serviceId: string, replicas: number): Promise<void>;
  setAvailability(nodeId: string, availability: EngineNode['availability']): Promise<void>;
  /** The last `tail` lines of a service's tasks (stdout and stderr), with timestamps and task names. */
  serviceLogs(serviceId: string, tail: number): Promise<string>;
  /** service and node events, and container events of stack tasks; `onEnd` fires once. */
  subscribe(onEvent: (e: SwarmEvent) => void, onEnd: (err?: Error) => void): Promise<Subscription>;
}

interface RawNode {
  ID: string;
  Description?: { Hostname?: string; Engine?: { EngineVersion?: string } };
  Spec?: { Role?: string; Availability?: string; Labels?: Record<string, string> };
  Status?: { State?: string; Addr?: string };
  ManagerStatus?: { Leader?: boolean };
}

interface RawTask {
  ID: string;
  ServiceID: string;
  Slot?: number;
  NodeID?: string;
  DesiredState?: string;
  UpdatedAt?: string;
  Status?: { State?: string; Message?: string; Err?: string; Timestamp?: string };
}

function fromService(s: Docker.Service): EngineService {
  const spec = s.Spec;
  const labels = spec?.Labels ?? {};
  const mode = spec?.Mode?.Replicated ? 'replicated' : spec?.Mode?.Global ? 'global' : 'other';
  return {
    id: s.ID,
    name: spec?.Name ?? s.ID,
    stack: labels[STACK_LABEL] ?? '',
    image:
      spec?.TaskTemplate && 'ContainerSpec' in spec.TaskTemplate
        ? (spec.TaskTemplate.ContainerSpec?.Image ?? '')
        : '',
    mode,
    replicas: spec?.Mode?.Replicated?.Replicas ?? null,
    runningTasks: s.ServiceStatus?.RunningTasks ?? 0,
    desiredTasks: s.ServiceStatus?.DesiredTasks ?? spec?.Mode?.Replicated?.Replicas ?? 0,
    updateState: s.UpdateStatus?.State ?? null,
    updateMessage: s.UpdateStatus?.Message ?? null,
  };
}

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

export class DockerSwarmEngine implements SwarmEngine {
  private readonly docker: Docker;
  private readonly streams: Docker;

  constructor(options: Docker.DockerOptions = {}) {
    this.docker = new Docker({ timeout: 10_000, ...options });
    this.streams = new Docker({ ...options, timeout: undefined });
  }

  async membership(): Promise<SwarmMembership> {
    const info = (await this.docker.info()) as {
      Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string };
    };
    return {
      state: info.Swarm?.LocalNodeState || 'inactive',
      manager: info.Swarm?.ControlAvailable === true,
      nodeId: info.Swarm?.NodeID || null,
    };
  }

  async listNodes(): Promise<EngineNode[]> {
    const nodes = (await this.docker.listNodes()) as RawNode[];
    return nodes.map((n) => ({
      id: n.ID,
      hostname: n.Description?.Hostname ?? n.ID,
      role: n.Spec?.Role === 'manager' ? 'manager' : 'worker',
      availability:
        n.Spec?.Availability === 'drain' ? 'drain' : n.Spec?.Availability === 'pause' ? 'pause' : 'active',
      state: n.Status?.State ?? 'unknown',
      address: n.Status?.Addr ?? null,
      engineVersion: n.Description?.Engine?.EngineVersion ?? null,
      leader: n.ManagerStatus?.Leader === true,
      labels: n.Spec?.Labels ?? {},
    }));
  }

  async listServices(stack?: string): Promise<EngineService[]> {
    const label = stack ? `${STACK_LABEL}=${stack}` : STACK_LABEL;
    // `status: true` adds ServiceStatus (running/desired tasks), API 1.41+.
    const list = (await this.docker.listServices({
      filters: { label: [label] },
      status: true,
    } as Docker.ServiceListOptions)) as Docker.Service[];
    return list.map(fromService);
  }

  async inspectService(id: string): Promise<EngineService | null> {
    try {
      const s = (await this.docker.getService(id).inspect()) as Docker.Service;
      return fromService(s);
    } catch (err) {
      if (statusCode(err) === 404) return null;
      throw err;
    }
  }

  async listTasks(serviceIds: string[]): Promise<EngineTask[]> {
    if (serviceIds.length === 0) return [];
    const tasks = (await this.docker.listTasks({ filters: { service: serviceIds } })) as RawTask[];
    return tasks.map((t) => ({
      id: t.ID,
      serviceId: t.ServiceID,
      slot: t.Slot ?? null,
      nodeId: t.NodeID || null,
      state: t.Status?.State ?? 'unknown',
      desiredState: t.DesiredState ?? 'unknown',
      message: t.Status?.Message ?? '',
      error: t.Status?.Err || null,
      updatedAt: t.Status?.Timestamp ?? t.UpdatedAt ?? '',
    }));
  }

  async scale(serviceId: string, replicas: number): Promise<void> {
    const service = this.docker.getService(serviceId);
    const s = (await service.inspect()) as Docker.Service & { Version?: { Index?: number } };
    const spec = s.Spec;
    if (!spec?.Mode?.Replicated) throw new Error('not a replicated service');
    spec.Mode.Replicated.Replicas = replicas;
    await service.update({ _query: { version: s.Version?.Index ?? 0 }, _body: spec });
  }

  async setAvailability(nodeId: string, availability: EngineNode['availability']): Promise<void> {
    const node = this.docker.getNode(nodeId);
    const n = (await node.inspect()) as RawNode & {
      Version?: { Index?: number };
      Spec?: Record<string, unknown>;
    };
    await node.update({
      _query: { version: n.Version?.Index ?? 0 },
      _body: { ...n.Spec, Availability: availability },
    });
  }

  async serviceLogs(serviceId: string, tail: number): Promise<string> {
    const raw = (await this.docker.getService(serviceId).logs({
      stdout: true,
      stderr: true,
      tail,
      timestamps: true,
      details: false,
      follow: false,
    } as Docker.ContainerLogsOptions & { follow: false })) as unknown as Buffer;
    return demux(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
  }

  async subscribe(onEvent: (e: SwarmEvent) => void, onEnd: (err?: Error) => void): Promise<Subscription> {
    // Filters of different keys are ANDed: one stream for services and nodes, one for the
    // containers of stack tasks (their start/die is the nearest thing to a task event here).
    const toEvent = (v: unknown) => {
      const raw = v as {
        Type?: string;
        Action?: string;
        Actor?: { ID?: string; Attributes?: Record<string, string> };
      };
      onEvent({
        type: raw.Type ?? '',
        action: raw.Action ?? '',
        id: raw.Actor?.ID ?? '',
        attributes: raw.Actor?.Attributes ?? {},
      });
    };
    let ended = false;
    const subs: Subscription[] = [];
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      for (const s of subs) s.close();
      onEnd(err);
    };
    const a = (await this.streams.getEvents({ filters: { type: ['service', 'node'] } })) as Readable;
    subs.push(followJsonLines(a, toEvent, end));
    try {
      const b = (await this.streams.getEvents({
        filters: {
          type: ['container'],
          label: [STACK_LABEL],
          event: ['start', 'die', 'destroy', 'oom', 'health_status'],
        },
      })) as Readable;
      subs.push(followJsonLines(b, toEvent, end));
    } catch (err) {
      end(err instanceof Error ? err : new Error(String(err)));
    }
    return { close: () => ((ended = true), subs.forEach((s) => s.close())) };
  }
}

/**
 * The engine's multiplexed log stream (8-byte frame headers: stream, 0, 0, 0, size) as text;
 * text that is not framed (a TTY service) is returned as it is.
 */
export function demux(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i];
    if (
      (kind !== 0 && kind !== 1 && kind !== 2) ||
      buf[i + 1] !== 0 ||
      buf[i + 2] !== 0 ||
      buf[i + 3] !== 0
    ) {
      return buf.toString('utf8');
    }
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** dockerode options for a DOCKER_HOST value (unix:// or tcp://); undefined: dockerode's own default. */
export function dockerOptionsFor(host: string | undefined): Docker.DockerOptions {
  if (!host) return {};
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  const m = /^tcp:\/\/([^:/]+)(?::(\d+))?/.exec(host);
  if (m?.[1]) return { host: m[1], port: Number(m[2] ?? 2375), protocol: 'http' };
  return {};
}
