import type { Logger } from '../logger.js';
import { NameListeners } from '../lib/name-listeners.js';
import type { RuntimeSource, StackRuntime } from '../stacks/stack-service.js';
import type { EngineClient, EngineContainer, EngineEvent, EventSubscription } from './engine-client.js';
import { runtimeOf } from './status-rules.js';

export interface EngineStateOptions {
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

/**
 * Every compose project's containers, built from one list call and then kept current by the
 * engine's event stream (no polling). When the engine goes away every project reads `unknown`;
 * it reconnects with backoff and rebuilds from a fresh list.
 */
export class EngineState implements RuntimeSource {
  private containers = new Map<string, EngineContainer>();
  private reachable = false;
  private subscription: EventSubscription | undefined;
  private readonly inspecting = new Map<string, { again: boolean }>();
  private retryTimer: NodeJS.Timeout | undefined;
  private retryMs: number;
  private stopped = false;
  private readonly changes: NameListeners;
  private connecting = false;
  private readonly min: number;
  private readonly max: number;

  constructor(
    private readonly engine: EngineClient,
    private readonly log: Logger,
    options: EngineStateOptions = {},
  ) {
    this.changes = new NameListeners(log, 'engine state');
    this.min = options.backoffMinMs ?? 250;
    this.max = options.backoffMaxMs ?? 10_000;
    this.retryMs = this.min;
  }

  get isReachable(): boolean {
    return this.reachable;
  }

  /** Listeners get the names of projects whose runtime may have changed. */
  onChange(listener: (projects: string[]) => void): () => void {
    return this.changes.add(listener);
  }

  /** Resolves after the first connection attempt; never throws. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.subscription?.close();
    this.subscription = undefined;
  }

  runtimeOf(project: string): StackRuntime {
    const own = [...this.containers.values()].filter((c) => c.project === project);
    return runtimeOf(own, this.reachable);
  }

  /** The containers of one project as last seen (copies). */
  containersOf(project: string): EngineContainer[] {
    return [...this.containers.values()].filter((c) => c.project === project).map((c) => ({ ...c }));
  }

  projects(): string[] {
    return [...new Set([...this.containers.values()].map((c) => c.project))];
  }

  private async connect(): Promise<void> {
    if (this.stopped || this.connecting) return;
    this.connecting = true;
    try {
      // Subscribe before listing so nothing that happens during the list is lost.
      const early: EngineEvent[] = [];
      let listed = false;
      const sub = await this.engine.subscribe(
        (e) => (listed ? this.onEvent(e) : early.push(e)),
        (err) => {
          if (this.subscription === sub) this.disconnected(err);
        },
      );
      this.subscription = sub;
      const list = await this.engine.listComposeContainers();
      const before = this.projects();
      this.containers = new Map(list.map((c) => [c.id, c]));
      this.reachable = true;
      listed = true;
      for (const e of early) this.onEvent(e);
      this.retryMs = this.min;
      this.log.info({ containers: list.length, projects: this.projects().length }, 'engine state built');
      this.changes.notify([...before, ...this.projects()]);
    } catch (err) {
      this.disconnected(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.connecting = false;
    }
  }

  private disconnected(err?: Error): void {
    this.subscription?.close();
    this.subscription = undefined;
    if (this.stopped) return;
    if (this.reachable) {
      this.reachable = false;
      this.log.warn({ err: err?.message }, 'docker engine connection lost');
      this.changes.notify(this.projects());
    }
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.max);
  }

  private onEvent(e: EngineEvent): void {
    if (!e.id) return;
    const known = this.containers.get(e.id);
    if (e.action === 'destroy') {
      this.containers.delete(e.id);
      this.changes.notify([known?.project ?? e.project]);
      return;
    }
    // Apply what the event itself says at once (a re-list right after `die` can still say
    // running), then confirm with an inspect of that one container.
    if (known) {
      if (e.action === 'start' || e.action === 'restart' || e.action === 'unpause') {
        known.state = 'running';
        known.everStarted = true;
        known.exitCode = null;
      } else if (e.action === 'die') {
        known.state = 'exited';
        const code = Number(e.attributes.exitCode);
        known.exitCode = Number.isFinite(code) ? code : null;
        known.health = null;
      } else if (e.action === 'pause') {
        known.state = 'paused';
      } else if (e.action.startsWith('health_status')) {
        known.health = e.action.split(':')[1]?.trim() ?? known.health;
      }
      this.changes.notify([known.project]);
    }
    this.inspect(e.id);
  }

  /** One inspect in flight per container; events during it schedule exactly one more. */
  private inspect(id: string): void {
    const running = this.inspecting.get(id);
    if (running) {
      running.again = true;
      return;
    }
    const slot = { again: false };
    this.inspecting.set(id, slot);
    void (async () => {
      try {
        do {
          slot.again = false;
          const info = await this.engine.inspectContainer(id);
          const before = this.containers.get(id);
          if (info) this.containers.set(id, info);
          else this.containers.delete(id);
          this.changes.notify([before?.project, info?.project]);
        } while (slot.again && !this.stopped);
      } catch (err) {
        this.log.debug({ err, id }, 'inspect failed');
      } finally {
        this.inspecting.delete(id);
      }
    })();
  }
}
