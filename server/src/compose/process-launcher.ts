import { spawn } from 'node:child_process';

export interface LaunchedProcess {
  /** Resolves with the exit code (128 + signal number when killed by a signal). */
  exited: Promise<number>;
  kill(): void;
}

/** Starts a program with an argv array and streams its output; faked in unit tests. */
export interface ProcessLauncher {
  launch(
    file: string,
    args: readonly string[],
    options: { cwd: string; env?: NodeJS.ProcessEnv; onData: (chunk: string) => void },
  ): LaunchedProcess;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Plain pipes, stdout and stderr merged in arrival order. */
export class PipeLauncher implements ProcessLauncher {
  launch(
    file: string,
    args: readonly string[],
    options: { cwd: string; env?: NodeJS.ProcessEnv; onData: (chunk: string) => void },
  ): LaunchedProcess {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.setEncoding('utf8').on('data', options.onData);
    child.stderr.setEncoding('utf8').on('data', options.onData);
    const exited = new Promise<number>((resolve) => {
      child.on('error', (err) => {
        options.onData(`cannot start ${file}: ${err.message}\n`);
        resolve(127);
      });
      child.on('close', (code, signal) => resolve(code ?? 128 + (SIGNALS[signal ?? ''] ?? 0)));
    });
    return { exited, kill: () => child.kill('SIGTERM') };
  }
}
