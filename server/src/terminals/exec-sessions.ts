import { randomUUID } from 'node:crypto';
import { runFile } from '../compose/process.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RuntimeSource } from '../stacks/stack-service.js';
import type { TerminalHub } from './terminal-hub.js';

const SHELL_PATTERN = /^[A-Za-z0-9_./-]{1,64}$/;

/** Interactive `docker exec -it` shells into a service's running container, each its own terminal. */
export class ExecSessions {
  constructor(
    private readonly deps: {
      hub: TerminalHub;
      runtime: RuntimeSource;
      log: Logger;
      /** Folder the docker CLI runs in; nothing is read from it. */
      cwd: string;
      dockerBin?: string;
      /** An engine other than the environment's (config.dockerHost). */
      dockerHost?: string;
    },
  ) {}

  private get host(): string[] {
    return this.deps.dockerHost ? ['-H', this.deps.dockerHost] : [];
  }

  private get docker(): string {
    return this.deps.dockerBin ?? 'docker';
  }

  /** bash when the container has it, else sh (asked of the container, argv only). */
  private async detectShell(containerId: string): Promise<string> {
    const r = await runFile(
      this.docker,
      [...this.host, 'exec', containerId, 'sh', '-c', 'command -v bash || command -v sh'],
      {
        timeoutMs: 10_000,
      },
    ).catch(() => null);
    const found = r?.exitCode === 0 ? r.stdout.trim().split('\n')[0] : undefined;
    return found && SHELL_PATTERN.test(found) ? found : 'sh';
  }

  /** `owner`: who alone may join, type into and resize the shell (a session). */
  async open(
    input: { stack: string; service: string; shell?: string },
    owner: string,
  ): Promise<{ id: string }> {
    const runtime = this.deps.runtime.runtimeOf(input.stack);
    const containers = runtime.containers.filter((c) => c.service === input.service);
    if (containers.length === 0) {
      throw new AppError(
        'NOT_FOUND',
        `stack "${input.stack}" has no container for service "${input.service}"`,
      );
    }
    const target = containers.find((c) => c.state === 'running');
    if (!target) {
      throw new AppError(
        'CONFLICT',
        `service "${input.service}" of stack "${input.stack}" is not running (${containers[0]?.state ?? 'no container'}); start it first`,
      );
    }
    if (input.shell !== undefined && !SHELL_PATTERN.test(input.shell)) {
      throw new AppError('BAD_REQUEST', 'shell must be a program name or path such as "sh" or "/bin/bash"');
    }
    const shell = input.shell ?? (await this.detectShell(target.id));
    const id = `exec:${randomUUID()}`;
    const args = [...this.host, 'exec', '-it', '-e', 'TERM=xterm-256color', target.id, shell];
    const { exited } = this.deps.hub.spawn(id, this.docker, args, {
      cwd: this.deps.cwd,
      interactive: true,
      owner,
    });
    this.deps.log.info(
      { id, stack: input.stack, service: input.service, container: target.name, shell },
      'exec opened',
    );
    void exited.then((code) => this.deps.log.info({ id, exitCode: code }, 'exec ended'));
    return { id };
  }
}
