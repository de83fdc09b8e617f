import { mkdirSync } from 'node:fs';
import { stackChildEnv } from '../lib/child-env.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ComposeCli } from './compose-cli.js';
import type { Job, JobStore } from './job-store.js';
import { stackTerminalId, type ActionTerminal } from './action-terminal.js';

export const COMPOSE_MISSING_MESSAGE =
  'docker compose v2 is not available: install the Docker Compose plugin ' +
  '(package docker-compose-plugin from Docker, or docker-compose from Debian 13) so that `docker compose version` works';

export interface RunStep {
  /** argv after `docker compose -p <name>` */
  args: string[];
  /** Folder to run in; the stack folder unless said otherwise. */
  cwd: string;
  /** Full argv after `docker` instead of a compose command (`stack deploy`, `stack rm`). */
  docker?: string[];
}

export interface JobContext {
  job: Job;
  /** Berth's own text, to the job and the terminal. */
  say: (text: string) => void;
  /** Runs `docker compose -p <stack> --progress plain ...args` in the stack terminal; the exit code. */
  compose: (args: string[], cwd: string) => Promise<number>;
  /** Runs `docker ...argv` (e.g. `stack deploy`) in the stack terminal; the exit code. */
  docker: (argv: string[], cwd: string) => Promise<number>;
}

export type JobScript = (ctx: JobContext) => Promise<{ exitCode: number; summary?: string }>;

/**
 * Runs `docker compose -p <name> ...` for a stack as a job, one job per stack at a time.
 * Argv arrays only; never a shell.
 */
export class ComposeRunner {
  private readonly busy = new Map<string, Job>();

  constructor(
    private readonly deps: {
      compose: ComposeCli;
      terminal: ActionTerminal;
      jobs: JobStore;
      log: Logger;
      dockerBin?: string;
      /** An empty folder for project-only commands (no compose file read). */
      scratchDir: string;
      /** The compose project of a stack (`-p`); the stack name itself unless given. */
      projectOf?: (stack: string) => string;
      /** DOCKER_HOST of the children when Berth drives another engine than its environment says. */
      dockerHost?: string;
    },
  ) {
    mkdirSync(deps.scratchDir, { recursive: true });
  }

  get scratchDir(): string {
    return this.deps.scratchDir;
  }

  isBusy(stack: string): boolean {
    return this.busy.has(stack);
  }

  /**
   * Starts a job that runs each step in order (stopping at the first failure) and then
   * `after` when all succeeded. Throws STACK_BUSY when the stack already runs a job.
   */
  async start(
    stack: string,
    action: string,
    steps: RunStep[],
    after?: (job: Job, write: (text: string) => void) => Promise<void>,
  ): Promise<Job> {
    return this.startScript(stack, action, async (ctx) => {
      let exitCode = 0;
      for (const step of steps) {
        exitCode = step.docker
          ? await ctx.docker(step.docker, step.cwd)
          : await ctx.compose(step.args, step.cwd);
        if (exitCode !== 0) return { exitCode };
      }
      if (after) await after(ctx.job, ctx.say);
      return { exitCode };
    });
  }

  /**
   * Starts a job whose steps are decided as it goes (the safe update): `script` runs compose
   * commands through `ctx.compose` in the stack's terminal and says what happens with `ctx.say`.
   * Its `summary` ends the job's last line; `onDone` sees the finished job, output complete.
   */
  async startScript(
    stack: string,
    action: string,
    script: JobScript,
    onDone?: (job: Job) => void,
  ): Promise<Job> {
    const running = this.busy.get(stack);
    if (running) {
      throw new AppError('STACK_BUSY', `stack "${stack}" is busy with "${running.action}"`, {
        jobId: running.id,
      });
    }
    if ((await this.deps.compose.version()) === null) {
      throw new AppError('COMPOSE_UNAVAILABLE', COMPOSE_MISSING_MESSAGE);
    }
    if (this.busy.has(stack)) throw new AppError('STACK_BUSY', `stack "${stack}" is busy`);
    const job = this.deps.jobs.create(stack, action);
    this.busy.set(stack, job);
    const write = (text: string) => this.deps.jobs.append(job, text);
    void this.run(job, stack, write, script).finally(() => {
      if (this.busy.get(stack) === job) this.busy.delete(stack);
      onDone?.(job);
    });
    return job;
  }

  private async run(
    job: Job,
    stack: string,
    write: (text: string) => void,
    script: JobScript,
  ): Promise<void> {
    const log = this.deps.log.child({ stack, action: job.action, job: job.id });
    const terminal = stackTerminalId(stack);
    // Berth's own lines go to the job and to the terminal; process output reaches the job via onData.
    const say = (text: string) => {
      write(text);
      this.deps.terminal.note(terminal, text);
    };
    const docker = async (argv: string[], cwd: string): Promise<number> => {
      say(`\r\n\x1b[1m$ docker ${argv.join(' ')}\x1b[0m\r\n`);
      const env = await stackChildEnv(cwd);
      if (this.deps.dockerHost) env.DOCKER_HOST = this.deps.dockerHost;
      return this.deps.terminal.run(terminal, this.deps.dockerBin ?? 'docker', argv, {
        cwd,
        env,
        onData: write,
      });
    };
    // Plain progress: line-per-event output reads well in a job and in xterm, and compose's
    // TTY renderer costs ~50 ms of redraw ticks per action.
    const compose = (args: string[], cwd: string): Promise<number> =>
      docker(['compose', '-p', this.deps.projectOf?.(stack) ?? stack, '--progress', 'plain', ...args], cwd);
    let exitCode = 0;
    let summary: string | undefined;
    try {
      ({ exitCode, summary } = await script({ job, say, compose, docker }));
    } catch (err) {
      log.error({ err }, 'job failed');
      say(`\r\n${err instanceof AppError ? err.message : 'internal error'}\r\n`);
      exitCode = exitCode || 1;
    }
    const tail = summary ? `: ${summary}` : '';
    say(
      exitCode === 0
        ? `\x1b[32m[${job.action} done${tail}]\x1b[0m\r\n`
        : `\x1b[31m[${job.action} failed, exit code ${exitCode}${tail}]\x1b[0m\r\n`,
    );
    // Free the stack before the job reads as finished, so a client that starts the next
    // action the moment it sees the result is not told the stack is busy.
    this.busy.delete(stack);
    this.deps.jobs.finish(job, exitCode);
    log.info({ exitCode }, 'job finished');
  }
}
