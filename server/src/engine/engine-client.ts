import type { Readable } from 'node:stream';
import Docker from 'dockerode';

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
  /**
   * The raw log bytes of a container, with time stamps (multiplexed unless the container has a
   * TTY). Destroying the stream ends the request. Rejects when the container does not exist.
   */
  logs(id: string, req: LogsRequest): Promise<Readable>;
}

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

  async subscribe(
    onEvent: (e: EngineEvent) => void,
    onEnd: (err?: Error) => void,
  ): Promise<EventSubscription> {
    const stream = (await this.streams.getEvents({
      filters: { type: ['container'], label: [PROJECT_LABEL], event: STATE_ACTIONS },
    })) as Readable;
    let buffer = '';
    let ended = false;
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        try {
          const raw = JSON.parse(line) as {
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
        } catch {
          // a malformed line is skipped; the next list rebuild corrects any drift
        }
      }
    });
    stream.on('error', (err: Error) => end(err));
    stream.on('end', () => end());
    stream.on('close', () => end());
    return {
      close: () => {
        ended = true;
        stream.destroy();
      },
    };
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
