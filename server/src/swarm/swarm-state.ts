import type { SwarmInfo, SwarmServiceInfo } from '../../../common/swarm.js';
import type { Logger } from '../logger.js';
import { NameListeners } from '../lib/name-listeners.js';
import type { StackRuntime } from '../stacks/stack-service.js';
import type {
  EngineNode,
  EngineService,
  EngineTask,
  Subscription,
  SwarmEngine,
  SwarmEvent,
  SwarmMembership,
} from './swarm-engine.js';
import { STACK_LABEL } from './swarm-engine.js';
import { isSettled, serviceDetails, swarmStatusOf } from './swarm-status.js';

export interface SwarmStateOptions {
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** First and longest wait between re-reads of a stack that has not settled. */
  settleMinMs?: number;
  settleMaxMs?: number;
}

interface StackEntry {
  services: EngineService[];
  tasks: EngineTask[];
}

const INACTIVE: SwarmMembership = { state: 'inactive', manager: false, nodeId: null };

/**
 * Every swarm stack's services and tasks: one list at connect, then kept current by the engine's
 * service, node and task-container events. The engine sends no task events, and a task that is
 * rejected (no such image) makes no container, so a stack whose services have not settled is
 * re-read with a growing wait (1 s .. 10 s) until they have; a settled swarm costs no requests.
 */
export class SwarmState {
  private member: SwarmMembership = INACTIVE;
  private reachable = false;
  private nodes: EngineNode[] = [];
  private stacks = new Map<string, StackEntry>();
  /** service id -> stack, to place events of removed services. */
  private stackOfService = new Map<string, string>();
  private subscription: Subscription | undefined;
  private readonly refreshing = new Map<string, { again: boolean; done: Promise<void> }>();
  private readonly settleTimers = new Map<string, NodeJS.Timeout>();
  private readonly settleWait = new Map<string, number>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private stopped = false;
  private readonly changes: NameListeners;
  private readonly opts: Required<SwarmStateOptions>;

  constructor(
    private readonly engine: SwarmEngine,
    private readonly log: Logger,
    options: SwarmStateOptions = {},
  ) {
    this.changes = new NameListeners(log, 'swarm state');
    this.opts = {
      backoffMinMs: 250,
      backoffMaxMs: 10_000,
      settleMinMs: 1000,
      settleMaxMs: 10_000,
      ...options,
    };
    this.retryMs = this.opts.backoffMinMs;
  }

  /** Listeners get the names of stacks whose state may have changed. */
  onChange(listener: (stacks: string[]) => void): () => void {
    return this.changes.add(listener);
  }

  get isManager(): boolean {
    return this.reachable && this.member.state === 'active' && this.member.manager;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    for (const t of this.settleTimers.values()) clearTimeout(t);
    this.settleTimers.clear();
    this.subscription?.close();
    this.subscription = undefined;
  }

  stackNames(): string[] {
    return [...this.stacks.keys()];
  }

  runtimeOf(stack: string): StackRuntime {
    const services = this.stacks.get(stack)?.services ?? [];
    return {
      status: swarmStatusOf(services, this.reachable),
      health: 'none',
      running: this.reachable ? services.filter((s) => s.runningTasks > 0).length : 0,
      services: services.map((s) => s.name),
      containers: [],
    };
  }

  services(stack: string): SwarmServiceInfo[] {
    const e = this.stacks.get(stack);
    return e ? serviceDetails(stack, e.services, e.tasks, this.nodes) : [];
  }

  serviceId(stack: string, service: string): string | undefined {
    return this.stacks.get(stack)?.services.find((s) => s.name === `${stack}_${service}`)?.id;
  }

  /** What the swarm is; asks the engine again (membership changes send no event). */
  async info(): Promise<SwarmInfo> {
    await this.refreshMembership();
    return this.describe();
  }

  describe(): SwarmInfo {
    const active = this.reachable && this.member.state === 'active';
    const message = !this.reachable
      ? 'the Docker engine cannot be reached'
      : !active
        ? `this engine is not part of a swarm (state: ${this.member.state}); Berth never runs \`docker swarm init\`: do that yourself to use swarm stacks`
        : !this.member.manager
          ? 'this engine is a swarm worker: deploy, scale and nodes need a manager'
          : null;
    return {
      active,
      manager: this.isManager,
      message,
      nodeId: this.member.nodeId,
      nodes: this.isManager ? this.nodes : [],
    };
  }

  /** Re-reads one stack now (after Berth changed it) and resolves when done. */
  refresh(stack: string): Promise<void> {
    return this.refreshStack(stack);
  }

  private async refreshMembership(): Promise<void> {
    try {
      const before = this.member;
      this.member = await this.engine.membership();
      this.reachable = true;
      const changed = before.state !== this.member.state || before.manager !== this.member.manager;
      if (this.isManager) this.nodes = await this.engine.listNodes();
      if (changed) {
        this.log.info({ state: this.member.state, manager: this.member.manager }, 'swarm membership');
        await this.rebuild();
      }
    } catch (err) {
      this.log.debug({ err }, 'swarm membership read failed');
    }
  }

  private async rebuild(): Promise<void> {
    const before = this.stackNames();
    const services = this.isManager ? await this.engine.listServices() : [];
    const tasks = await this.engine.listTasks(services.map((s) => s.id));
    const next = new Map<string, StackEntry>();
    for (const s of services) {
      let e = next.get(s.stack);
      if (!e) next.set(s.stack, (e = { services: [], tasks: [] }));
      e.services.push(s);
      this.stackOfService.set(s.id, s.stack);
    }
    for (const t of tasks) {
      const stack = this.stackOfService.get(t.serviceId);
      if (stack) next.get(stack)?.tasks.push(t);
    }
    this.stacks = next;
    for (const name of next.keys()) this.scheduleSettle(name);
    this.changes.notify([...before, ...next.keys()]);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const early: SwarmEvent[] = [];
      let ready = false;
      const sub = await this.engine.subscribe(
        (e) => (ready ? this.onEvent(e) : early.push(e)),
        (err) => {
          if (this.subscription === sub) this.disconnected(err);
        },
      );
      this.subscription = sub;
      this.member = await this.engine.membership();
      this.reachable = true;
      if (this.isManager) this.nodes = await this.engine.listNodes();
      await this.rebuild();
      ready = true;
      for (const e of early) this.onEvent(e);
      this.retryMs = this.opts.backoffMinMs;
      this.log.info({ state: this.member.state, stacks: this.stacks.size }, 'swarm state built');
    } catch (err) {
      this.disconnected(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private disconnected(err?: Error): void {
    this.subscription?.close();
    this.subscription = undefined;
    if (this.stopped) return;
    if (this.reachable) {
      this.reachable = false;
      this.log.warn({ err: err?.message }, 'swarm event stream lost');
      this.changes.notify(this.stackNames());
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.opts.backoffMaxMs);
  }

  private onEvent(e: SwarmEvent): void {
    if (e.type === 'node') {
      void this.refreshMembership().then(() => this.changes.notify(this.stackNames()));
      return;
    }
    if (e.type === 'container') {
      const stack = e.attributes[STACK_LABEL];
      if (stack) void this.refreshStack(stack);
      return;
    }
    if (e.type !== 'service' || !e.id) return;
    const known = this.stackOfService.get(e.id);
    if (known) {
      void this.refreshStack(known);
      return;
    }
    // A new service: its stack is in its labels.
    void this.engine
      .inspectService(e.id)
      .then((s) => {
        if (s?.stack) {
          this.stackOfService.set(s.id, s.stack);
          return this.refreshStack(s.stack);
        }
        return undefined;
      })
      .catch((err: unknown) => this.log.debug({ err }, 'service inspect failed'));
  }

  /** One read of a stack in flight; events during it schedule exactly one more. */
  private refreshStack(stack: string): Promise<void> {
    const running = this.refreshing.get(stack);
    if (running) {
      running.again = true;
      return running.done;
    }
    const slot = { again: false, done: Promise.resolve() };
    this.refreshing.set(stack, slot);
    slot.done = (async () => {
      try {
        do {
          slot.again = false;
          if (!this.isManager) break;
          const services = await this.engine.listServices(stack);
          const tasks = await this.engine.listTasks(services.map((s) => s.id));
          for (const s of services) this.stackOfService.set(s.id, stack);
          const before = JSON.stringify(this.stacks.get(stack) ?? null);
          if (services.length === 0) this.stacks.delete(stack);
          else this.stacks.set(stack, { services, tasks });
          // A re-read that found nothing new tells no one.
          if (JSON.stringify(this.stacks.get(stack) ?? null) !== before) this.changes.notify([stack]);
        } while (slot.again && !this.stopped);
      } catch (err) {
        this.log.debug({ err, stack }, 'stack refresh failed');
      } finally {
        this.refreshing.delete(stack);
        // Also after a failed read: an unsettled stack is read again, never left as it was.
        this.scheduleSettle(stack);
      }
    })();
    return slot.done;
  }

  /** While a stack has not settled, re-read it after a wait that doubles up to settleMaxMs. */
  private scheduleSettle(stack: string): void {
    const entry = this.stacks.get(stack);
    if (!entry || entry.services.every(isSettled) || this.stopped) {
      clearTimeout(this.settleTimers.get(stack));
      this.settleTimers.delete(stack);
      this.settleWait.delete(stack);
      return;
    }
    if (this.settleTimers.has(stack)) return;
    const ms = this.settleWait.get(stack) ?? this.opts.settleMinMs;
    this.settleWait.set(stack, Math.min(ms * 2, this.opts.settleMaxMs));
    const timer = setTimeout(() => {
      this.settleTimers.delete(stack);
      void this.refreshStack(stack);
    }, ms);
    timer.unref();
    this.settleTimers.set(stack, timer);
  }
}
