import type {
  EngineClient,
  EngineContainer,
  EngineEvent,
  EngineVersion,
  EventSubscription,
  EngineInfo,
  ImageUse,
  RawStats,
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
    ...over,
  };
}

/** An in-memory engine: tests set containers, push events, and cut the connection. */
export class FakeEngine implements EngineClient {
  readonly containers = new Map<string, EngineContainer>();
  up = true;
  listCalls = 0;
  inspectCalls = 0;
  statsCalls = 0;
  /** Stats answers by container id; a container with none answers null (gone). */
  readonly stats = new Map<string, RawStats>();
  engineInfo: EngineInfo = { containers: 0, containersRunning: 0, dockerRootDir: '/var/lib/docker' };
  images: ImageUse = { count: 1, bytes: 2_000_000 };
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
    return { ...this.images };
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
}
