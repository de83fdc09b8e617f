import { PassThrough, Readable } from 'node:stream';
import type { ContainerAction, ContainerDetail } from '../../common/resources.js';
import {
  EngineApiError,
  type EngineClient,
  type EngineContainer,
  type EngineContainerBrief,
  type EngineEvent,
  type EngineHelperSpec,
  type EngineImage,
  type EngineImageDeleteReport,
  type EngineNetwork,
  type EngineNetworkSpec,
  type EngineVersion,
  type EventSubscription,
  type EngineVolume,
  type EngineInfo,
  type ImageUse,
  type RawStats,
  type LogsRequest,
} from '../../server/src/engine/engine-client.js';

let seq = 0;

/** Factory for containers in specs: sensible defaults, override what the test is about. */
export function container(over: Partial<EngineContainer> = {}): EngineContainer {
  seq++;
  const project = over.project ?? 'demo';
  const service = over.service ?? `svc${seq}`;
  return {
    id: `c${seq}`.padEnd(12, '0'),
    name: `${project}-${service}-1`,
    project,
    service,
    state: 'running',
    health: null,
    exitCode: null,
    image: 'berth-test/busybox:latest',
    ports: [],
    restartPolicy: 'no',
    everStarted: true,
    oneOff: false,
    tty: false,
    created: '2024-01-01T00:00:00.000000000Z',
    ...over,
  };
}

/** An in-memory engine: tests set containers, push events, and cut the connection. */
export class FakeEngine implements EngineClient {
  readonly containers = new Map<string, EngineContainer>();
  /** Resources: tests fill these; the resource methods read and change them. */
  images: EngineImage[] = [];
  /** Every container for listContainers (compose or not); separate from the status containers. */
  briefs: EngineContainerBrief[] = [];
  volumes: EngineVolume[] = [];
  networks: EngineNetwork[] = [];
  volumeSizes = new Map<string, number>();
  /** Archives held per helper container: what getArchive returns and putArchive stores. */
  readonly archives = new Map<string, Buffer>();
  readonly helpers = new Map<string, EngineHelperSpec>();
  readonly actions: { id: string; action: ContainerAction }[] = [];
  up = true;
  listCalls = 0;
  inspectCalls = 0;
  statsCalls = 0;
  /** Stats answers by container id; a container with none answers null (gone). */
  readonly stats = new Map<string, RawStats>();
  engineInfo: EngineInfo = { containers: 0, containersRunning: 0, dockerRootDir: '/var/lib/docker' };
  imageTotals: ImageUse = { count: 1, bytes: 2_000_000 };
  /** Every line each container printed; `logs()` answers from here. */
  readonly logLines = new Map<string, FakeLogEntry[]>();
  logCalls = 0;
  /** Follow streams still open, per container id. */
  readonly followers = new Map<string, Set<PassThrough>>();
  private subs = new Set<{ onEvent: (e: EngineEvent) => void; onEnd: (err?: Error) => void }>();

  constructor(initial: EngineContainer[] = []) {
    for (const c of initial) this.containers.set(c.id, c);
  }

  private check(): void {
    if (!this.up) throw new Error('connect ECONNREFUSED /var/run/docker.sock');
  }

  version(): Promise<EngineVersion> {
    return this.up
      ? Promise.resolve({ version: '99.0.0-fake', apiVersion: '1.41' })
      : Promise.reject(new Error('connect ECONNREFUSED'));
  }

  async listComposeContainers(): Promise<EngineContainer[]> {
    this.check();
    this.listCalls++;
    return [...this.containers.values()].map((c) => ({ ...c }));
  }

  async inspectContainer(id: string): Promise<EngineContainer | null> {
    this.check();
    this.inspectCalls++;
    const c = this.containers.get(id);
    return c ? { ...c } : null;
  }

  async subscribe(
    onEvent: (e: EngineEvent) => void,
    onEnd: (err?: Error) => void,
  ): Promise<EventSubscription> {
    this.check();
    const sub = { onEvent, onEnd };
    this.subs.add(sub);
    return { close: () => this.subs.delete(sub) };
  }

  async containerStats(id: string): Promise<RawStats | null> {
    this.check();
    this.statsCalls++;
    return this.stats.get(id) ?? null;
  }

  async info(): Promise<EngineInfo> {
    this.check();
    return { ...this.engineInfo };
  }

  async imageUse(): Promise<ImageUse> {
    this.check();
    return { ...this.imageTotals };
  }

  /** Changes a container (or removes it with null) and emits the matching event. */
  event(action: string, c: EngineContainer, attributes: Record<string, string> = {}): void {
    if (action === 'destroy') this.containers.delete(c.id);
    else this.containers.set(c.id, c);
    for (const s of this.subs) s.onEvent({ action, id: c.id, project: c.project, attributes });
  }

  /** The engine goes away: streams end with an error, calls fail. */
  stop(): void {
    this.up = false;
    for (const s of [...this.subs]) s.onEnd(new Error('socket hang up'));
    this.subs.clear();
  }

  start(): void {
    this.up = true;
  }

  async listImages(): Promise<EngineImage[]> {
    this.check();
    return this.images.map((i) => ({ ...i }));
  }

  async listContainers(): Promise<EngineContainerBrief[]> {
    this.check();
    return this.briefs.map((c) => ({ ...c }));
  }

  async removeImage(id: string, force: boolean): Promise<EngineImageDeleteReport> {
    this.check();
    const img = this.images.find((i) => i.id === id || i.id === `sha256:${id}`);
    if (!img) throw new EngineApiError(404, `No such image: ${id}`);
    const user = this.briefs.find((c) => c.imageId === img.id);
    if (user && !force) throw new EngineApiError(409, `image is being used by container ${user.id}`);
    this.images = this.images.filter((i) => i !== img);
    return { untagged: img.tags, deleted: [img.id] };
  }

  async pruneImages(danglingOnly: boolean): Promise<EngineImageDeleteReport & { spaceReclaimed: number }> {
    this.check();
    const used = new Set(this.briefs.map((c) => c.imageId));
    const gone = this.images.filter((i) => !used.has(i.id) && (!danglingOnly || i.tags.length === 0));
    this.images = this.images.filter((i) => !gone.includes(i));
    return {
      untagged: gone.flatMap((i) => i.tags),
      deleted: gone.map((i) => i.id),
      spaceReclaimed: gone.reduce((n, i) => n + i.size, 0),
    };
  }

  async diskUsage(): Promise<{ images: Map<string, number>; volumes: Map<string, number> }> {
    this.check();
    return { images: new Map(this.images.map((i) => [i.id, i.size])), volumes: new Map(this.volumeSizes) };
  }

  async listVolumes(): Promise<EngineVolume[]> {
    this.check();
    return this.volumes.map((v) => ({ ...v }));
  }

  async removeVolume(name: string): Promise<void> {
    this.check();
    if (!this.volumes.some((v) => v.name === name)) throw new EngineApiError(404, `no such volume: ${name}`);
    this.volumes = this.volumes.filter((v) => v.name !== name);
  }

  async listNetworks(): Promise<EngineNetwork[]> {
    this.check();
    return this.networks.map((n) => ({ ...n }));
  }

  async createNetwork(spec: EngineNetworkSpec): Promise<string> {
    this.check();
    if (this.networks.some((n) => n.name === spec.name)) {
      throw new EngineApiError(409, `network with name ${spec.name} already exists`);
    }
    const id = `n${++seq}`.padEnd(64, '0');
    this.networks.push({
      id,
      name: spec.name,
      driver: spec.driver,
      scope: 'local',
      internal: spec.internal,
      subnets: spec.subnet ? [{ subnet: spec.subnet, gateway: spec.gateway ?? null }] : [],
      labels: spec.labels,
    });
    return id;
  }

  async removeNetwork(id: string): Promise<void> {
    this.check();
    if (!this.networks.some((n) => n.id === id)) throw new EngineApiError(404, `network ${id} not found`);
    this.networks = this.networks.filter((n) => n.id !== id);
  }

  async containerDetail(id: string): Promise<ContainerDetail | null> {
    this.check();
    const c = this.containers.get(id);
    if (!c) return null;
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      imageId: `sha256:${c.image}`,
      project: c.project,
      service: c.service,
      state: c.state,
      exitCode: c.exitCode,
      startedAt: null,
      finishedAt: null,
      command: ['sleep', '1000'],
      env: [
        { name: 'PATH', value: '/bin' },
        { name: 'PASSWORD', value: 'hunter2' },
      ],
      envMasked: false,
      mounts: [],
      ports: c.ports,
      networks: [],
      restartPolicy: { name: c.restartPolicy, maximumRetryCount: 0 },
      health: null,
    };
  }

  async containerAction(id: string, action: ContainerAction): Promise<void> {
    this.check();
    const c = this.containers.get(id) ?? this.briefs.find((b) => b.id === id);
    if (!c) throw new EngineApiError(404, `No such container: ${id}`);
    this.actions.push({ id, action });
    const state = action === 'start' || action === 'restart' ? 'running' : 'exited';
    if (action === 'remove') this.containers.delete(id);
    else c.state = state;
    const brief = this.briefs.find((b) => b.id === id);
    if (brief && action !== 'remove') brief.state = state;
  }

  async createHelper(spec: EngineHelperSpec): Promise<string> {
    this.check();
    if (!this.images.some((i) => i.id === spec.image || i.tags.includes(spec.image))) {
      throw new EngineApiError(404, `No such image: ${spec.image}`);
    }
    const id = `h${++seq}`.padEnd(64, '0');
    this.helpers.set(id, spec);
    return id;
  }

  async runToExit(id: string): Promise<number> {
    this.check();
    const spec = this.helpers.get(id);
    if (!spec) throw new EngineApiError(404, `No such container: ${id}`);
    this.archives.delete(spec.volume);
    return 0;
  }

  async getArchive(id: string): Promise<Readable> {
    this.check();
    const spec = this.helpers.get(id);
    if (!spec) throw new EngineApiError(404, `No such container: ${id}`);
    return Readable.from([this.archives.get(spec.volume) ?? Buffer.alloc(0)]);
  }

  async putArchive(id: string, _path: string, tar: Readable): Promise<void> {
    this.check();
    const spec = this.helpers.get(id);
    if (!spec) throw new EngineApiError(404, `No such container: ${id}`);
    const chunks: Buffer[] = [];
    for await (const chunk of tar) chunks.push(chunk as Buffer);
    this.archives.set(spec.volume, Buffer.concat(chunks));
  }

  async removeContainer(id: string): Promise<void> {
    this.check();
    this.helpers.delete(id);
  }
  async logs(id: string, req: LogsRequest): Promise<Readable> {
    this.check();
    this.logCalls++;
    const c = this.containers.get(id);
    if (!c) throw Object.assign(new Error('no such container'), { statusCode: 404 });
    const since = req.since === undefined ? -Infinity : Number(req.since);
    const until = req.until === undefined ? Infinity : Number(req.until);
    let entries = (this.logLines.get(id) ?? []).filter((e) => {
      const t = unixOf(e.ts);
      return t >= since && t <= until;
    });
    if (req.tail !== undefined) entries = req.tail === 0 ? [] : entries.slice(-req.tail);
    const out = new PassThrough();
    for (const e of entries) out.write(encodeLog(e, c.tty));
    if (req.follow && c.state === 'running') {
      const set = this.followers.get(id) ?? new Set<PassThrough>();
      this.followers.set(id, set);
      set.add(out);
      out.on('close', () => set.delete(out));
    } else {
      out.end();
    }
    return out;
  }

  /** A container prints a line: it is stored and sent to the open follow streams. */
  print(id: string, text: string, stream: 'stdout' | 'stderr' = 'stdout', ts = fakeTs()): void {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no container ${id}`);
    const entry = { ts, stream, text };
    this.logLines.set(id, [...(this.logLines.get(id) ?? []), entry]);
    for (const f of this.followers.get(id) ?? []) f.write(encodeLog(entry, c.tty));
  }

  /** Follow streams of a container end, as the engine's do when the container stops. */
  endLogs(id: string): void {
    for (const f of this.followers.get(id) ?? []) f.end();
    this.followers.delete(id);
  }

  openFollowStreams(): number {
    let n = 0;
    for (const set of this.followers.values()) n += set.size;
    return n;
  }
}

export interface FakeLogEntry {
  ts: string;
  stream: 'stdout' | 'stderr';
  text: string;
}

let clock = Date.UTC(2024, 0, 1, 12);
/** Strictly increasing time stamps in the engine's RFC 3339 nano format. */
export function fakeTs(): string {
  clock += 1;
  return new Date(clock).toISOString().replace('Z', '000000Z');
}

function unixOf(ts: string): number {
  return Date.parse(ts) / 1000;
}

/** The engine's wire format: `<ts> <text>\n`, in an 8-byte frame unless the container has a TTY. */
export function encodeLog(e: FakeLogEntry, tty: boolean): Buffer {
  const body = Buffer.from(`${e.ts} ${e.text}${tty ? '\r\n' : '\n'}`);
  if (tty) return body;
  const header = Buffer.alloc(8);
  header[0] = e.stream === 'stderr' ? 2 : 1;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}
