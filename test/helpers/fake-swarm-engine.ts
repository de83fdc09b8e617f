import type {
  EngineNode,
  EngineService,
  EngineTask,
  Subscription,
  SwarmEngine,
  SwarmEvent,
  SwarmMembership,
} from '../../server/src/swarm/swarm-engine.js';

let seq = 0;

export function swarmService(over: Partial<EngineService> & { stack: string; name: string }): EngineService {
  seq++;
  return {
    id: `svc${seq}`,
    image: 'berth-test/busybox:latest',
    mode: 'replicated',
    replicas: 1,
    runningTasks: 1,
    desiredTasks: 1,
    updateState: null,
    updateMessage: null,
    ...over,
  };
}

export function swarmTask(over: Partial<EngineTask> & { serviceId: string }): EngineTask {
  seq++;
  return {
    id: `task${seq}`,
    slot: 1,
    nodeId: 'node1',
    state: 'running',
    desiredState: 'running',
    message: 'started',
    error: null,
    updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    ...over,
  };
}

/** An in-memory swarm: tests set services, tasks and nodes, push events, count reads. */
export class FakeSwarmEngine implements SwarmEngine {
  member: SwarmMembership = { state: 'active', manager: true, nodeId: 'node1' };
  nodes: EngineNode[] = [
    {
      id: 'node1',
      hostname: 'alpha',
      role: 'manager',
      availability: 'active',
      state: 'ready',
      address: '127.0.0.1',
      engineVersion: '20.10.24',
      leader: true,
      labels: {},
    },
  ];
  services: EngineService[] = [];
  tasks: EngineTask[] = [];
  reads = 0;
  /** The next this many service reads fail (an engine timing out). */
  failReads = 0;
  private subs = new Set<{ onEvent: (e: SwarmEvent) => void; onEnd: (err?: Error) => void }>();

  async membership(): Promise<SwarmMembership> {
    return { ...this.member };
  }
  async listNodes(): Promise<EngineNode[]> {
    return this.nodes.map((n) => ({ ...n }));
  }
  async listServices(stack?: string): Promise<EngineService[]> {
    this.reads++;
    if (this.failReads > 0) {
      this.failReads--;
      throw new Error('engine timed out');
    }
    return this.services.filter((s) => !stack || s.stack === stack).map((s) => ({ ...s }));
  }
  async inspectService(id: string): Promise<EngineService | null> {
    const s = this.services.find((x) => x.id === id);
    return s ? { ...s } : null;
  }
  async listTasks(ids: string[]): Promise<EngineTask[]> {
    return this.tasks.filter((t) => ids.includes(t.serviceId)).map((t) => ({ ...t }));
  }
  async scale(id: string, replicas: number): Promise<void> {
    const s = this.services.find((x) => x.id === id);
    if (s) s.replicas = s.desiredTasks = replicas;
  }
  async setAvailability(id: string, availability: EngineNode['availability']): Promise<void> {
    const n = this.nodes.find((x) => x.id === id);
    if (n) n.availability = availability;
  }
  async serviceLogs(id: string, tail: number): Promise<string> {
    return `logs of ${id} (${tail})\n`;
  }
  async subscribe(onEvent: (e: SwarmEvent) => void, onEnd: (err?: Error) => void): Promise<Subscription> {
    const sub = { onEvent, onEnd };
    this.subs.add(sub);
    return { close: () => this.subs.delete(sub) };
  }
  emit(e: SwarmEvent): void {
    for (const s of this.subs) s.onEvent(e);
  }
  /** The event stream breaks. */
  cut(): void {
    for (const s of [...this.subs]) s.onEnd(new Error('socket hang up'));
    this.subs.clear();
  }
}
