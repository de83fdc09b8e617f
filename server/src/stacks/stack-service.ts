import type {
  ContainerInfo,
  HistoryEntry,
  StackDetail,
  StackHealth,
  StackStatus,
  StackSummary,
} from '../../../common/stack.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import type { Job } from '../compose/job-store.js';
import type { Logger } from '../logger.js';
import type { StackAction } from '../../../common/api.js';
import { AppError } from '../errors.js';
import type { ComposeValidator, SaveResult, StackFileInfo, StackFiles, StackStore } from './stack-store.js';

/** What the engine says about one compose project. */
export interface StackRuntime {
  status: StackStatus;
  health: StackHealth;
  running: number;
  /** Services seen in the engine (for projects without a folder). */
  services: string[];
  containers: ContainerInfo[];
}

/** Live engine state per compose project; the engine module implements it. */
export interface RuntimeSource {
  runtimeOf(project: string): StackRuntime;
  /** Compose projects the engine knows of, with or without a folder. */
  projects(): string[];
}

/** Swarm stacks (server/src/swarm/): their state and lifecycle; absent, every stack is compose. */
export interface SwarmStacks {
  runtimeOf(name: string): StackRuntime;
  stackNames(): string[];
  action(name: string, action: StackAction): Promise<Job>;
  remove(
    name: string,
    action: string,
    after?: (write: (text: string) => void) => Promise<void>,
  ): Promise<Job>;
}

/** Combines the files on disk with the engine's state and runs stack-level operations. */
export class StackService {
  constructor(
    private readonly store: StackStore,
    private readonly runtime: RuntimeSource,
    private readonly runner: ComposeRunner,
    private readonly validate: ComposeValidator,
    private readonly log: Logger,
    private readonly swarm?: SwarmStacks,
  ) {}

  summaryOf(info: StackFileInfo): StackSummary {
    const swarm = info.target === 'swarm' && this.swarm;
    const rt = swarm ? swarm.runtimeOf(info.name) : this.runtime.runtimeOf(info.name);
    return {
      name: info.name,
      managed: true,
      composeFile: info.composeFile,
      status: rt.status,
      health: rt.health,
      services: { total: info.services.length, running: rt.running },
      updatedAt: info.updatedAt,
      target: info.target,
    };
  }

  private isSwarmOnly(name: string): boolean {
    return !!this.swarm?.stackNames().includes(name) && !this.runtime.projects().includes(name);
  }

  /** A project running in the engine (or a swarm stack) with no folder in the stacks dir. */
  unmanagedSummary(project: string): StackSummary {
    const swarm = this.isSwarmOnly(project) ? this.swarm : undefined;
    const rt = swarm ? swarm.runtimeOf(project) : this.runtime.runtimeOf(project);
    return {
      name: project,
      managed: false,
      composeFile: null,
      status: rt.status,
      health: rt.health,
      services: { total: rt.services.length, running: rt.running },
      updatedAt: null,
      target: swarm ? 'swarm' : 'compose',
    };
  }

  private engineNames(): string[] {
    return [...new Set([...this.runtime.projects(), ...(this.swarm?.stackNames() ?? [])])];
  }

  /** The current summary of a name, managed or not; null when neither folder nor containers exist. */
  summaryByName(name: string): StackSummary | null {
    const info = this.store.get(name);
    if (info) return this.summaryOf(info);
    return this.engineNames().includes(name) ? this.unmanagedSummary(name) : null;
  }

  list(): StackSummary[] {
    const managed = this.store.list().map((i) => this.summaryOf(i));
    const names = new Set(managed.map((s) => s.name));
    const unmanaged = this.engineNames()
      .filter((p) => !names.has(p))
      .sort()
      .map((p) => this.unmanagedSummary(p));
    return [...managed, ...unmanaged];
  }

  async get(name: string): Promise<StackDetail> {
    return this.detailOf(await this.store.read(name));
  }

  private detailOf(files: StackFiles): StackDetail {
    const rt = this.runtime.runtimeOf(files.info.name);
    return {
      ...this.summaryOf(files.info),
      yaml: files.yaml,
      env: files.env,
      etag: files.etag,
      containers: rt.containers,
    };
  }

  async create(name: string, yaml: string, env?: string): Promise<StackDetail> {
    return this.detailOf(await this.store.create(name, yaml, env));
  }

  save(name: string, input: { yaml: string; env?: string; etag: string }): Promise<SaveResult> {
    return this.store.save(name, input);
  }

  history(name: string): Promise<HistoryEntry[]> {
    return this.store.listHistory(name);
  }

  historyEntry(name: string, id: string): Promise<{ yaml: string; env: string | null; savedAt: string }> {
    return this.store.readHistory(name, id);
  }

  restore(name: string, id: string): Promise<SaveResult> {
    return this.store.restore(name, id);
  }

  /**
   * Runs a compose action as a job in terminal `stack:<name>`. Actions that read the compose
   * file are refused (422) while it has schema errors; `down` and `stop` work by project name
   * from an empty folder, so a broken file never keeps a stack running.
   */
  async action(name: string, action: StackAction): Promise<Job> {
    const files = await this.store.read(name);
    const byName = action === 'down' || action === 'stop';
    if (!byName) {
      const errors = this.validate(files.yaml).problems.filter((p) => p.severity === 'error');
      if (errors.length > 0) {
        const first = errors[0];
        throw new AppError(
          'INVALID_COMPOSE',
          `fix the compose file before "${action}"${first ? ` (line ${first.line}: ${first.message})` : ''}`,
          { problems: errors },
        );
      }
    }
    // Swarm stacks: up deploys, down runs `docker stack rm` (docs/api.md, "Swarm stacks").
    if (this.swarm && this.store.get(name)?.target === 'swarm') return this.swarm.action(name, action);
    const dir = this.store.dirOf(name);
    const inStack = (args: string[]) => ({ args, cwd: dir });
    const byProject = (args: string[]) => ({ args, cwd: this.runner.scratchDir });
    switch (action) {
      case 'up':
        return this.runner.start(name, action, [inStack(['up', '-d', '--remove-orphans'])]);
      case 'down':
        return this.runner.start(name, action, [byProject(['down', '--remove-orphans'])]);
      case 'stop':
        return this.runner.start(name, action, [byProject(['stop'])]);
      case 'start':
      case 'restart':
      case 'pull':
        return this.runner.start(name, action, [inStack([action])]);
      case 'update': {
        // Pull, then recreate only what was running: a stopped service stays stopped.
        const running = [
          ...new Set(
            this.runtime
              .runtimeOf(name)
              .containers.filter((c) => c.state === 'running')
              .map((c) => c.service),
          ),
        ].sort();
        const steps = [inStack(['pull'])];
        if (running.length > 0) steps.push(inStack(['up', '-d', '--remove-orphans', ...running]));
        return this.runner.start(name, action, steps);
      }
    }
  }

  /**
   * `compose down --remove-orphans`, then the folder moves to the trash. When down fails the
   * folder stays where it is. Down runs by project name from an empty folder, so even a stack
   * whose compose file no longer parses can be taken down and deleted.
   */
  async delete(name: string): Promise<Job> {
    await this.store.read(name); // 404 before a job is made
    if (this.swarm?.stackNames().includes(name)) {
      return this.swarm.remove(name, 'delete', async (write) => {
        const target = await this.store.moveToTrash(name);
        write(`moved ${name} to ${target}\n`);
        this.log.info({ name }, 'swarm stack deleted');
      });
    }
    return this.runner.start(
      name,
      'delete',
      [{ args: ['down', '--remove-orphans'], cwd: this.runner.scratchDir }],
      async (_job, write) => {
        const target = await this.store.moveToTrash(name);
        write(`moved ${name} to ${target}\n`);
        this.log.info({ name }, 'stack deleted');
      },
    );
  }
}
