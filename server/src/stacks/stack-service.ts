import { LOCAL_HOST } from '../../../common/host-ref.js';
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
import type { SaveResult, StackFileInfo, StackFiles, StackStore } from './stack-store.js';
import type { ValidateRequest } from '../../../common/api.js';
import type { Problem } from '../../../common/stack.js';
import { StackChecker } from './stack-check.js';
import { projectNameOf } from '../../../common/names.js';

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

/** Image updates as the stack service uses them (server/src/updates). */
export interface StackUpdates {
  countFor(stack: string): number;
  /** The safe update of a stack as a job. */
  update(stack: string, actor: string): Promise<Job>;
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
  private updates: StackUpdates | undefined;

  constructor(
    private readonly store: StackStore,
    private readonly runtime: RuntimeSource,
    private readonly runner: ComposeRunner,
    private readonly log: Logger,
    /** Env-aware checks and compose as the oracle; without it, the plain text check only. */
    private readonly checker: StackChecker = new StackChecker(null, {}),
    private readonly swarm?: SwarmStacks,
  ) {}

  /** Wired after construction: the update service itself reads stacks. */
  useUpdates(updates: StackUpdates): void {
    this.updates = updates;
  }

  /**
   * The editor's check: schema and compose's rules, with the stack's `.env` (or the `env` text
   * given) for interpolation and its folder for env files, includes and extends.
   */
  async validate(input: ValidateRequest): Promise<Problem[]> {
    let dir: string | undefined;
    let env: string | null | undefined = input.env;
    if (input.stack !== undefined && (await this.store.exists(input.stack))) {
      dir = this.store.dirOf(input.stack);
      if (env === undefined) env = (await this.store.read(input.stack)).env;
    }
    return this.checker.validate(input.yaml, { dir, env }).problems;
  }

  summaryOf(info: StackFileInfo): StackSummary {
    const projectName = projectNameOf(info.name);
    const swarm = info.target === 'swarm' && this.swarm;
    const rt = swarm ? swarm.runtimeOf(info.name) : this.runtime.runtimeOf(projectName);
    return {
      host: LOCAL_HOST,
      name: info.name,
      managed: true,
      composeFile: info.composeFile,
      projectName,
      conflicts: this.store
        .list()
        .filter((other) => other.name !== info.name && projectNameOf(other.name) === projectName)
        .map((other) => other.name),
      status: rt.status,
      health: rt.health,
      services: { total: info.services.length, running: rt.running },
      updatedAt: info.updatedAt,
      updates: this.updates?.countFor(info.name) ?? 0,
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
      host: LOCAL_HOST,
      name: project,
      managed: false,
      composeFile: null,
      projectName: project,
      conflicts: [],
      status: rt.status,
      health: rt.health,
      services: { total: rt.services.length, running: rt.running },
      updatedAt: null,
      updates: 0,
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
    const owned = this.store.list().some((i) => projectNameOf(i.name) === name);
    return !owned && this.engineNames().includes(name) ? this.unmanagedSummary(name) : null;
  }

  /**
   * The stack names whose summaries a change of these compose projects touches: the folders
   * mapping to each project, or the project itself when no folder does (an unmanaged one).
   */
  namesOfProjects(projects: readonly string[]): string[] {
    const byProject = new Map<string, string[]>();
    for (const i of this.store.list()) {
      const p = projectNameOf(i.name);
      byProject.set(p, [...(byProject.get(p) ?? []), i.name]);
    }
    return [...new Set(projects.flatMap((p) => byProject.get(p) ?? [p]))];
  }

  /** The compose project of a stack name (managed or not). */
  projectOf(name: string): string {
    return this.store.get(name) ? projectNameOf(name) : name;
  }

  list(): StackSummary[] {
    const managed = this.store.list().map((i) => this.summaryOf(i));
    const names = new Set(managed.map((s) => s.projectName));
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
    const rt = this.runtime.runtimeOf(projectNameOf(files.info.name));
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

  /** Saves, then reports Berth's problems and compose's own verdict on the saved folder. */
  async save(name: string, input: { yaml: string; env?: string; etag: string }): Promise<SaveResult> {
    const saved = await this.store.save(name, input);
    return { etag: saved.etag, problems: await this.problemsOnDisk(name) };
  }

  private async problemsOnDisk(name: string): Promise<Problem[]> {
    const files = await this.store.read(name);
    const dir = this.store.dirOf(name);
    const own = this.checker.validate(files.yaml, { dir, env: files.env }).problems;
    const compose = await this.checker.composeProblems(dir, projectNameOf(name), files.yaml);
    return [...own, ...compose];
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
  async action(name: string, action: StackAction, actor = 'unknown'): Promise<Job> {
    // Swarm stacks: up deploys (with its own preflight), down runs `docker stack rm`.
    if (this.swarm && this.store.get(name)?.target === 'swarm') return this.swarm.action(name, action);
    const files = await this.store.read(name);
    const byName = action === 'down' || action === 'stop';
    const dir = this.store.dirOf(name);
    if (!byName) {
      let errors = this.checker
        .validate(files.yaml, { dir, env: files.env })
        .problems.filter((p) => p.severity === 'error');
      // Compose has the last word: what it refuses is never started by mistake.
      if (errors.length === 0) {
        errors = await this.checker.composeProblems(dir, projectNameOf(name), files.yaml);
      }
      if (errors.length > 0) {
        const first = errors[0];
        throw new AppError(
          'INVALID_COMPOSE',
          `fix the compose file before "${action}"${first ? ` (line ${first.line}: ${first.message})` : ''}`,
          { problems: errors },
        );
      }
    }
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
        if (this.updates) return this.updates.update(name, actor);
        // Pull, then recreate only what was running: a stopped service stays stopped.
        const running = [
          ...new Set(
            this.runtime
              .runtimeOf(projectNameOf(name))
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
