import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { childEnv, dotenvKeys } from '../lib/child-env.js';
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

/** The allow-listed environment, less what the stack's own `.env` sets: the stack always wins. */
async function stackEnv(dir: string): Promise<NodeJS.ProcessEnv> {
  const dotenv = await readFile(path.join(dir, '.env'), 'utf8').catch(() => '');
  return childEnv({ omit: dotenvKeys(dotenv) });
}

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
    void this.run(job, stack, steps, write, after).finally(() => {
      if (this.busy.get(stack) === job) this.busy.delete(stack);
    });
    return job;
  }

  private async run(
    job: Job,
    stack: string,
    steps: RunStep[],
    write: (text: string) => void,
    after?: (job: Job, write: (text: string) => void) => Promise<void>,
  ): Promise<void> {
    const log = this.deps.log.child({ stack, action: job.action, job: job.id });
    const terminal = stackTerminalId(stack);
    // Berth's own lines go to the job and to the terminal; process output reaches the job via onData.
    const say = (text: string) => {
      write(text);
      this.deps.terminal.note(terminal, text);
    };
    let exitCode = 0;
    try {
      for (const step of steps) {
        // Plain progress: line-per-event output reads well in a job and in xterm, and compose's
        // TTY renderer costs ~50 ms of redraw ticks per action.
        const argv = step.docker ?? ['compose', '-p', stack, '--progress', 'plain', ...step.args];
        say(`\r\n\x1b[1m$ docker ${argv.join(' ')}\x1b[0m\r\n`);
        const env = await stackEnv(step.cwd);
        if (this.deps.dockerHost) env.DOCKER_HOST = this.deps.dockerHost;
        exitCode = await this.deps.terminal.run(terminal, this.deps.dockerBin ?? 'docker', argv, {
          cwd: step.cwd,
          env,
          onData: write,
        });
        if (exitCode !== 0) break;
      }
      if (exitCode === 0 && after) await after(job, say);
    } catch (err) {
      log.error({ err }, 'job failed');
      say(`\r\n${err instanceof AppError ? err.message : 'internal error'}\r\n`);
      exitCode = exitCode || 1;
    }
    say(
      exitCode === 0
        ? `\x1b[32m[${job.action} done]\x1b[0m\r\n`
        : `\x1b[31m[${job.action} failed, exit code ${exitCode}]\x1b[0m\r\n`,
    );
    // Free the stack before the job reads as finished, so a client that starts the next
    // action the moment it sees the result is not told the stack is busy.
    this.busy.delete(stack);
    this.deps.jobs.finish(job, exitCode);
    log.info({ exitCode }, 'job finished');
  }
}
