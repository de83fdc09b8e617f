/** Who watches a terminal; the transport implements it (a socket.io room in practice). */
export interface TerminalSink {
  /** Coalesced output of terminal `id`. */
  output(id: string, data: string): void;
  /** The process of terminal `id` ended. */
  exit(id: string, exitCode: number): void;
}

export interface SpawnOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
  /** Whether input from viewers reaches the process (shells: yes; compose actions: no). */
  interactive: boolean;
  /** Every raw chunk of this process's output, uncoalesced (a job keeps its own copy). */
  onData?: (chunk: string) => void;
  /** Who may join, type into and resize it (a shell's session); anyone who may read when absent. */
  owner?: string;
}

export interface TerminalSnapshot {
  buffer: string;
  running: boolean;
  exitCode: number | null;
}

/** The part of node-pty's `IPty` the hub uses, so unit tests can hand in a fake. */
export interface IPtyLike {
  readonly pid: number;
  onData(listener: (data: string) => void): { dispose(): void };
  onExit(listener: (event: { exitCode: number; signal?: number }) => void): { dispose(): void };
  write(data: string): void;
  resize(cols: number, rows: number): void;
  kill(signal?: string): void;
}

export interface PtySpawnOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
}

export type PtyFactory = (file: string, args: string[], opts: PtySpawnOptions) => IPtyLike;
