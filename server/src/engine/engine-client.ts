import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { followJsonLines } from './json-lines.js';
import type { ContainerAction, ContainerDetail } from '../../../common/resources.js';

export interface EngineVersion {
  version: string;
  apiVersion: string;
}

export interface EnginePort {
  hostIp: string | null;
  hostPort: number | null;
  containerPort: number;
  protocol: string;
}

/** The facts about one container that status and detail need. */
export interface EngineContainer {
  id: string;
  name: string;
  project: string;
  service: string;
  /** created | running | paused | restarting | removing | exited | dead */
  state: string;
  health: string | null;
  exitCode: number | null;
  image: string;
  ports: EnginePort[];
  restartPolicy: string;
  /** false while the container was never started. */
  everStarted: boolean;
  oneOff: boolean;
  /** Logs of a TTY container are raw bytes; without a TTY they are multiplexed (8-byte frames). */
  tty: boolean;
  /** RFC 3339, when the container was created: no log line is older. */
  created: string;
}

/** A logs request; times are Unix seconds with up to 9 fraction digits, as the Engine API takes them. */
export interface LogsRequest {
  follow: boolean;
  since?: string;
  until?: string;
  /** Lines from the end; all when absent. */
  tail?: number;
}

export interface EngineEvent {
  action: string;
  id: string;
  project: string | undefined;
  attributes: Record<string, string>;
}

/** The part of the Engine API's one-shot stats answer Berth reads (cgroup v1 and v2 shapes). */
export interface RawStats {
  read?: string;
  pids_stats?: { current?: number };
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: Array<{ op?: string; value?: number }> | null };
}

export interface EngineInfo {
  containers: number;
  containersRunning: number;
  /** Docker's data root on the engine's host (`DockerRootDir`). */
  dockerRootDir: string;
}

export interface ImageUse {
  count: number;
  /** Every layer once, as `docker system df` counts it. */
  bytes: number;
}

export interface EventSubscription {
  close(): void;
}

/** The slice of the Docker Engine API Berth uses; faked in unit tests. */
export interface EngineClient {
  /** Resolves with the engine's version, rejects when the engine cannot be reached. */
  version(): Promise<EngineVersion>;
  /** Every container (running or not) that belongs to a compose project. */
  listComposeContainers(): Promise<EngineContainer[]>;
  /** null when the container no longer exists. */
  inspectContainer(id: string): Promise<EngineContainer | null>;
  /** Container events of compose projects; `onEnd` fires once when the stream stops for any reason. */
  subscribe(onEvent: (e: EngineEvent) => void, onEnd: (err?: Error) => void): Promise<EventSubscription>;
  /** One stats reading (`stream=false&one-shot=true`: no wait for a second sample); null when the container is gone. */
  containerStats(id: string): Promise<RawStats | null>;
  info(): Promise<EngineInfo>;
  imageUse(): Promise<ImageUse>;

  // Resources (images, volumes, networks, single containers). Engine failures are thrown as
  // EngineApiError so callers can tell 404 and 409 apart.
  /** Every image; `all` includes the intermediate images of classic builds. */
  listImages(all: boolean): Promise<EngineImage[]>;
  /** Every container, compose or not, from one list call. */
  listContainers(): Promise<EngineContainerBrief[]>;
  removeImage(id: string, force: boolean): Promise<EngineImageDeleteReport>;
  pruneImages(danglingOnly: boolean): Promise<EngineImageDeleteReport & { spaceReclaimed: number }>;
  /** `docker system df`: unique bytes per image id and size per volume name (-1: unknown). */
  diskUsage(): Promise<{ images: Map<string, number>; volumes: Map<string, number> }>;
  listVolumes(): Promise<EngineVolume[]>;
  removeVolume(name: string): Promise<void>;
  listNetworks(): Promise<EngineNetwork[]>;
  createNetwork(spec: EngineNetworkSpec): Promise<string>;
  removeNetwork(id: string): Promise<void>;
  /** Full inspect of one container (environment unmasked), null when it does not exist. */
  containerDetail(id: string): Promise<ContainerDetail | null>;
  containerAction(id: string, action: ContainerAction, force: boolean): Promise<void>;
  /** Creates (never starts) a container mounting a volume at `mountPath`; never pulls. */
  createHelper(spec: EngineHelperSpec): Promise<string>;
  /** Starts a created container and waits for its exit code. */
  runToExit(id: string): Promise<number>;
  /** A tar stream of `path` inside a (created or stopped) container. */
  getArchive(id: string, path: string): Promise<Readable>;
  /** Extracts a tar stream at `path` inside a container; owners, modes and links kept. */
  putArchive(id: string, path: string, tar: Readable): Promise<void>;
  removeContainer(id: string): Promise<void>;
  /**
   * The raw log bytes of a container, with time stamps (multiplexed unless the container has a
   * TTY). Destroying the stream ends the request. Rejects when the container does not exist.
   */
  logs(id: string, req: LogsRequest): Promise<Readable>;
}

export interface EngineImage {
  id: string;
  /** '' when the image has no parent (anything not built by the classic builder). */
  parentId: string;
  tags: string[];
  /** `repo@sha256:...` */
  digests: string[];
  size: number;
  /** Unix seconds. */
  created: number;
}

export interface EngineContainerBrief {
  id: string;
  name: string;
  image: string;
  imageId: string;
  project: string;
  service: string;
  state: string;
  labels: Record<string, string>;
  mounts: { type: string; name: string | null; destination: string }[];
  /** Names and ids of its networks (a never started container has names only). */
  networks: string[];
}

export interface EngineImageDeleteReport {
  untagged: string[];
  /** Image ids and layer chain ids, as the engine reports them. */
  deleted: string[];
}

export interface EngineVolume {
  name: string;
  driver: string;
  mountpoint: string;
  created: string | null;
  labels: Record<string, string>;
}

export interface EngineNetwork {
  id: string;
  name: string;
  driver: string;
  scope: string;
  internal: boolean;
  subnets: { subnet: string; gateway: string | null }[];
  labels: Record<string, string>;
}

export interface EngineNetworkSpec {
  name: string;
  driver: string;
  subnet?: string;
  gateway?: string;
  parent?: string;
  internal: boolean;
  labels: Record<string, string>;
}

export interface EngineHelperSpec {
  image: string;
  volume: string;
  mountPath: string;
  readOnly: boolean;
  /** The command when the helper is started (runToExit); a created-only helper needs none. */
  cmd?: string[];
  labels: Record<string, string>;
}

/** A failed Engine API call: its HTTP status and the engine's own message. */
export class EngineApiError extends Error {
  override name = 'EngineApiError';
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

/** dockerode errors carry statusCode and the engine's JSON message; anything else passes through. */
export function engineError(err: unknown): unknown {
  const e = err as { statusCode?: unknown; json?: { message?: unknown } | null; message?: string };
  if (typeof e.statusCode !== 'number') return err;
  const message = typeof e.json?.message === 'string' ? e.json.message : (e.message ?? 'engine error');
  return new EngineApiError(e.statusCode, message);
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw engineError(err);
  }
}

const realRefs = (refs: string[] | null | undefined): string[] =>
  (refs ?? []).filter((r) => !r.startsWith('<none>'));

export const PROJECT_LABEL = 'com.docker.compose.project';
const SERVICE_LABEL = 'com.docker.compose.service';
const ONEOFF_LABEL = 'com.docker.compose.oneoff';

// Healthchecks fire exec_* events every interval; only these change what Berth shows.
const STATE_ACTIONS = [
  'create',
  'start',
  'restart',
  'die',
  'stop',
  'destroy',
  'pause',
  'unpause',
  'rename',
  'health_status',
  'oom',
];

function portsFromInspect(
  ports: Docker.ContainerInspectInfo['NetworkSettings']['Ports'] | undefined,
): EnginePort[] {
  const out: EnginePort[] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const [port, protocol] = key.split('/');
    const containerPort = Number(port);
    if (!bindings || bindings.length === 0) {
      out.push({ hostIp: null, hostPort: null, containerPort, protocol: protocol ?? 'tcp' });
      continue;
    }
    for (const b of bindings) {
      out.push({
        hostIp: b.HostIp || null,
        hostPort: Number(b.HostPort) || null,
        containerPort,
        protocol: protocol ?? 'tcp',
      });
    }
  }
  return out.sort((a, b) => a.containerPort - b.containerPort || (a.hostPort ?? 0) - (b.hostPort ?? 0));
}

function fromInspect(c: Docker.ContainerInspectInfo): EngineContainer {
  const labels = c.Config.Labels ?? {};
  const state = c.State;
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    project: labels[PROJECT_LABEL] ?? '',
    service: labels[SERVICE_LABEL] ?? '',
    state: state.Status,
    health: state.Health?.Status ?? null,
    exitCode: state.Status === 'exited' || state.Status === 'dead' ? state.ExitCode : null,
    image: c.Config.Image,
    ports: portsFromInspect(c.NetworkSettings?.Ports),
    restartPolicy: c.HostConfig.RestartPolicy?.Name || 'no',
    everStarted: !state.StartedAt.startsWith('0001-'),
    oneOff: labels[ONEOFF_LABEL] === 'True',
    tty: c.Config.Tty === true,
    created: c.Created,
  };
}

const engineTime = (t: string | undefined): string | null => (!t || t.startsWith('0001-') ? null : t);

function detailFromInspect(c: Docker.ContainerInspectInfo): ContainerDetail {
  const base = fromInspect(c);
  const health = c.State.Health as
    | {
        Status: string;
        FailingStreak: number;
        Log?: { Start: string; End: string; ExitCode: number; Output: string }[];
      }
    | undefined;
  return {
    id: c.Id,
    name: base.name,
    image: c.Config.Image,
    imageId: c.Image,
    project: base.project,
    service: base.service,
    state: base.state,
    exitCode: base.exitCode,
    startedAt: engineTime(c.State.StartedAt),
    finishedAt: engineTime(c.State.FinishedAt),
    command: [...(c.Config.Entrypoint ? [c.Config.Entrypoint].flat() : []), ...(c.Config.Cmd ?? [])],
    env: (c.Config.Env ?? []).map((line) => {
      const eq = line.indexOf('=');
      return eq < 0 ? { name: line, value: '' } : { name: line.slice(0, eq), value: line.slice(eq + 1) };
    }),
    envMasked: false,
    mounts: (c.Mounts ?? []).map((m) => ({
      type: m.Type ?? 'bind',
      name: m.Name ?? null,
      source: m.Source,
      destination: m.Destination,
      readOnly: !m.RW,
    })),
    ports: base.ports,
    networks: Object.entries(c.NetworkSettings?.Networks ?? {}).map(([name, n]) => ({
      name,
      ipAddress: n.IPAddress ?? '',
      aliases: n.Aliases ?? [],
    })),
    restartPolicy: {
      name: c.HostConfig.RestartPolicy?.Name || 'no',
      maximumRetryCount: c.HostConfig.RestartPolicy?.MaximumRetryCount ?? 0,
    },
    health: health
      ? {
          status: health.Status,
          failingStreak: health.FailingStreak,
          log: (health.Log ?? []).map((l) => ({
            start: l.Start,
            end: l.End,
            exitCode: l.ExitCode,
            output: l.Output,
          })),
        }
      : null,
  };
}

/** dockerode honours DOCKER_HOST (unix socket or tcp) the same way the docker CLI does. */
export class DockerEngineClient implements EngineClient {
  private readonly docker: Docker;
  /** The event stream is quiet for as long as nothing happens: no idle timeout may end it. */
  private readonly streams: Docker;

  constructor(options: Docker.DockerOptions = {}) {
    this.docker = new Docker({ timeout: 10_000, ...options });
    this.streams = new Docker({ ...options, timeout: undefined });
  }

  async version(): Promise<EngineVersion> {
    const v = await this.docker.version();
    return { version: v.Version, apiVersion: v.ApiVersion };
  }

  /**
   * One list call finds the compose containers; the list lacks restart policy and start time,
   * so each is inspected (concurrently, bounded) to get the facts the status rules need.
   */
  async listComposeContainers(): Promise<EngineContainer[]> {
    const list = await this.docker.listContainers({ all: true, filters: { label: [PROJECT_LABEL] } });
    const out: EngineContainer[] = [];
    const queue = [...list];
    const worker = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const info = await this.inspectContainer(c.Id);
        if (info) out.push(info);
      }
    };
    await Promise.all(Array.from({ length: Math.min(16, queue.length) }, worker));
    return out;
  }

  async inspectContainer(id: string): Promise<EngineContainer | null> {
    try {
      return fromInspect(await this.docker.getContainer(id).inspect());
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw err;
    }
  }

  async containerStats(id: string): Promise<RawStats | null> {
    try {
      // one-shot (API 1.41+) answers at once; without it the engine waits ~1 s to fill precpu_stats.
      return (await this.docker
        .getContainer(id)
        .stats({ stream: false, 'one-shot': true } as { stream: false })) as RawStats;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw err;
    }
  }

  async info(): Promise<EngineInfo> {
    const i = (await this.docker.info()) as {
      Containers?: number;
      ContainersRunning?: number;
      DockerRootDir?: string;
    };
    return {
      containers: i.Containers ?? 0,
      containersRunning: i.ContainersRunning ?? 0,
      dockerRootDir: i.DockerRootDir ?? '',
    };
  }

  async imageUse(): Promise<ImageUse> {
    // The image list alone counts shared layers once per image; df knows the real total.
    const df = (await this.docker.df()) as { LayersSize?: number; Images?: unknown[] | null };
    return { count: df.Images?.length ?? 0, bytes: df.LayersSize ?? 0 };
  }

  async subscribe(
    onEvent: (e: EngineEvent) => void,
    onEnd: (err?: Error) => void,
  ): Promise<EventSubscription> {
    const stream = (await this.streams.getEvents({
      filters: { type: ['container'], label: [PROJECT_LABEL], event: STATE_ACTIONS },
    })) as Readable;
    return followJsonLines(
      stream,
      (value) => {
        const raw = value as {
          Action?: string;
          Actor?: { ID?: string; Attributes?: Record<string, string> };
        };
        const attributes = raw.Actor?.Attributes ?? {};
        onEvent({
          action: raw.Action ?? '',
          id: raw.Actor?.ID ?? '',
          project: attributes[PROJECT_LABEL],
          attributes,
        });
      },
      onEnd,
    );
  }

  listImages(all: boolean): Promise<EngineImage[]> {
    return call(async () =>
      (await this.docker.listImages({ all })).map((i) => ({
        id: i.Id,
        parentId: i.ParentId ?? '',
        tags: realRefs(i.RepoTags),
        digests: realRefs(i.RepoDigests),
        size: i.Size,
        created: i.Created,
      })),
    );
  }

  listContainers(): Promise<EngineContainerBrief[]> {
    return call(async () =>
      (await this.docker.listContainers({ all: true })).map((c) => {
        const labels = c.Labels ?? {};
        return {
          id: c.Id,
          name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
          image: c.Image,
          imageId: c.ImageID,
          project: labels[PROJECT_LABEL] ?? '',
          service: labels[SERVICE_LABEL] ?? '',
          state: c.State,
          labels,
          mounts: (c.Mounts ?? []).map((m) => ({
            type: m.Type,
            name: m.Name ?? null,
            destination: m.Destination,
          })),
          networks: Object.entries(c.NetworkSettings?.Networks ?? {}).flatMap(([name, n]) =>
            n.NetworkID ? [name, n.NetworkID] : [name],
          ),
        };
      }),
    );
  }

  private static deleteReport(items: { Untagged?: string; Deleted?: string }[] | null | undefined) {
    return {
      untagged: (items ?? []).flatMap((i) => (i.Untagged ? [i.Untagged] : [])),
      deleted: (items ?? []).flatMap((i) => (i.Deleted ? [i.Deleted] : [])),
    };
  }

  removeImage(id: string, force: boolean): Promise<EngineImageDeleteReport> {
    return call(async () =>
      DockerEngineClient.deleteReport(
        (await this.docker.getImage(id).remove({ force })) as { Untagged?: string; Deleted?: string }[],
      ),
    );
  }

  pruneImages(danglingOnly: boolean): Promise<EngineImageDeleteReport & { spaceReclaimed: number }> {
    return call(async () => {
      const r = await this.streams.pruneImages({ filters: { dangling: [String(danglingOnly)] } });
      return { ...DockerEngineClient.deleteReport(r.ImagesDeleted), spaceReclaimed: r.SpaceReclaimed ?? 0 };
    });
  }

  diskUsage(): Promise<{ images: Map<string, number>; volumes: Map<string, number> }> {
    return call(async () => {
      const df = (await this.streams.df()) as {
        Images?: { Id: string; Size: number; SharedSize: number }[] | null;
        Volumes?: { Name: string; UsageData?: { Size: number } | null }[] | null;
      };
      return {
        images: new Map(
          (df.Images ?? []).map((i) => [i.Id, i.SharedSize >= 0 ? i.Size - i.SharedSize : i.Size]),
        ),
        volumes: new Map((df.Volumes ?? []).map((v) => [v.Name, v.UsageData?.Size ?? -1])),
      };
    });
  }

  listVolumes(): Promise<EngineVolume[]> {
    return call(async () =>
      ((await this.docker.listVolumes()).Volumes ?? []).map((v) => {
        const created = (v as { CreatedAt?: string }).CreatedAt;
        return {
          name: v.Name,
          driver: v.Driver,
          mountpoint: v.Mountpoint,
          created: created ?? null,
          labels: v.Labels ?? {},
        };
      }),
    );
  }

  removeVolume(name: string): Promise<void> {
    return call(async () => {
      await this.docker.getVolume(name).remove();
    });
  }

  listNetworks(): Promise<EngineNetwork[]> {
    return call(async () =>
      (await this.docker.listNetworks()).map((n) => ({
        id: n.Id,
        name: n.Name,
        driver: n.Driver,
        scope: n.Scope,
        internal: n.Internal,
        subnets: (n.IPAM?.Config ?? []).flatMap((c) =>
          c.Subnet ? [{ subnet: c.Subnet, gateway: c.Gateway ?? null }] : [],
        ),
        labels: n.Labels ?? {},
      })),
    );
  }

  createNetwork(spec: EngineNetworkSpec): Promise<string> {
    return call(async () => {
      const net = await this.docker.createNetwork({
        Name: spec.name,
        Driver: spec.driver,
        CheckDuplicate: true,
        Internal: spec.internal,
        Labels: spec.labels,
        Options: spec.parent ? { parent: spec.parent } : {},
        IPAM: {
          Driver: 'default',
          Config: spec.subnet
            ? [{ Subnet: spec.subnet, ...(spec.gateway ? { Gateway: spec.gateway } : {}) }]
            : [],
        },
      });
      return net.id as string;
    });
  }

  removeNetwork(id: string): Promise<void> {
    return call(async () => {
      await this.docker.getNetwork(id).remove();
    });
  }

  async containerDetail(id: string): Promise<ContainerDetail | null> {
    try {
      return detailFromInspect(await this.docker.getContainer(id).inspect());
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw engineError(err);
    }
  }

  containerAction(id: string, action: ContainerAction, force: boolean): Promise<void> {
    return call(async () => {
      // stop/restart wait for the container's own stop timeout: no client idle timeout here.
      const c = this.streams.getContainer(id);
      if (action === 'remove') await c.remove({ force, v: false });
      else if (action === 'start') await c.start();
      else if (action === 'stop') await c.stop();
      else if (action === 'restart') await c.restart();
      else await c.kill();
    });
  }

  createHelper(spec: EngineHelperSpec): Promise<string> {
    return call(async () => {
      const c = await this.docker.createContainer({
        Image: spec.image,
        // Never started unless runToExit: the entrypoint only has to exist on paper.
        Entrypoint: spec.cmd ? [] : ['/berth-helper-never-started'],
        Cmd: spec.cmd ?? [],
        User: '0:0',
        Labels: spec.labels,
        NetworkDisabled: true,
        HostConfig: {
          Mounts: [{ Type: 'volume', Source: spec.volume, Target: spec.mountPath, ReadOnly: spec.readOnly }],
          NetworkMode: 'none',
        },
      });
      return c.id;
    });
  }

  runToExit(id: string): Promise<number> {
    return call(async () => {
      const c = this.streams.getContainer(id);
      await c.start();
      const r = (await c.wait()) as { StatusCode: number };
      return r.StatusCode;
    });
  }

  getArchive(id: string, path: string): Promise<Readable> {
    return call(
      async () => (await this.streams.getContainer(id).getArchive({ path })) as unknown as Readable,
    );
  }

  putArchive(id: string, path: string, tar: Readable): Promise<void> {
    return call(async () => {
      // The engine answers once the whole tar is extracted; the body (if any) is empty.
      const res = (await this.streams.getContainer(id).putArchive(tar, { path })) as unknown;
      if (res && typeof (res as Readable).resume === 'function') (res as Readable).resume();
    });
  }

  removeContainer(id: string): Promise<void> {
    return call(async () => {
      await this.docker.getContainer(id).remove({ force: true, v: false });
    });
  }

  async logs(id: string, req: LogsRequest): Promise<Readable> {
    // dial with isStream so history is streamed too (dockerode buffers non-follow logs whole).
    const options: Record<string, unknown> = {
      follow: req.follow,
      stdout: true,
      stderr: true,
      timestamps: true,
      tail: req.tail === undefined ? 'all' : String(req.tail),
    };
    if (req.since !== undefined) options.since = req.since;
    if (req.until !== undefined) options.until = req.until;
    return new Promise<Readable>((resolve, reject) => {
      this.streams.modem.dial(
        {
          path: `/containers/${encodeURIComponent(id)}/logs?`,
          method: 'GET',
          isStream: true,
          statusCodes: { 200: true, 404: 'no such container', 500: 'server error' },
          options,
        },
        (err: unknown, data: unknown) => (err ? reject(err as Error) : resolve(data as Readable)),
      );
    });
  }
}
