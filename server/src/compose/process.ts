import { childEnv } from '../lib/child-env.js';
import { execFile } from 'node:child_process';

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs a program with an argv array (never a shell) and collects its output. */
export function runFile(
  file: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      {
        cwd: options.cwd,
        timeout: options.timeoutMs ?? 60_000,
        env: options.env ?? childEnv(),
        maxBuffer: 16 << 20,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(err);
          return;
        }
        resolve({ exitCode: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}
