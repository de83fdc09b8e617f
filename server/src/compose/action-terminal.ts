/**
 * Where a compose action runs: a terminal that viewers can watch (a node-pty session in
 * production, a fake in unit tests). The runner also keeps the job's own copy of the output.
 */
export interface ActionTerminal {
  /** Runs argv (never a shell) in terminal `id`; resolves with the exit code. */
  run(
    id: string,
    file: string,
    args: readonly string[],
    options: { cwd: string; env: NodeJS.ProcessEnv; onData: (chunk: string) => void },
  ): Promise<number>;
  /** Writes text of Berth's own (a command header, a result line) into terminal `id`. */
  note(id: string, text: string): void;
}

export const stackTerminalId = (stack: string): string => `stack:${stack}`;
