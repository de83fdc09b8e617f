import { AppError } from '../errors.js';
import { childEnv } from '../lib/child-env.js';
import type { Logger } from '../logger.js';
import { nodePtyFactory } from './node-pty-factory.js';
import { Scrollback } from './scrollback.js';
import type { IPtyLike, PtyFactory, SpawnOptions, TerminalSink, TerminalSnapshot } from './terminal-types.js';

export interface TerminalHubOptions {
  sink: TerminalSink;
  log: Logger;
  /** Output kept per terminal for late joiners, in UTF-8 bytes. Default 512 KiB. */
  scrollbackBytes?: number;
  /** Longest wait before pending output goes to the sink. Default 16 ms. */
  flushIntervalMs?: number;
  /** Pending output that is flushed at once instead of waiting for the timer. Default 64 KiB. */
  maxPendingBytes?: number;
  /** An interactive terminal nobody watches is killed after this. Default 5 min. */
  idleTimeoutMs?: number;
  /** A finished interactive terminal is forgotten after this. Default 10 min. */
  finishedTtlMs?: number;
  /** Wait between SIGHUP and SIGKILL. Default 2 s. */
  killGraceMs?: number;
  ptyFactory?: PtyFactory;
}

const DEFAULT_COLS = 80;
const DEFAULT_ROWS = 24;
/** Longest closeAll waits for processes that ignore even SIGKILL (e.g. stuck in D state). */
const CLOSE_WAIT_MS = 5_000;

interface Terminal {
  readonly id: string;
  interactive: boolean;
  owner: string | undefined;
  /** The live process; null once it has exited. */
  proc: IPtyLike | null;
  exited: Promise<number> | null;
  exitCode: number | null;
  cols: number;
  rows: number;
  readonly scrollback: Scrollback;
  pending: string[];
  pendingBytes: number;
  flushTimer: NodeJS.Timeout | null;
  readonly viewers: Set<string>;
  idleTimer: NodeJS.Timeout | null;
  killTimer: NodeJS.Timeout | null;
  forgetTimer: NodeJS.Timeout | null;
}

/**
 * Owns the pseudo-terminals: compose actions (`stack:<name>`, read-only, kept with their history)
 * and shells (`exec:<uuid>`, interactive, killed when nobody watches). Output is kept in a capped
 * scrollback for late joiners and handed to the sink in coalesced batches, a few per frame.
 */
export class TerminalHub {
  private readonly terminals = new Map<string, Terminal>();
  private readonly sink: TerminalSink;
  private readonly log: Logger;
  private readonly scrollbackBytes: number;
  private readonly flushIntervalMs: number;
  private readonly maxPendingBytes: number;
  private readonly idleTimeoutMs: number;
  private readonly finishedTtlMs: number;
  private readonly killGraceMs: number;
  private readonly ptyFactory: PtyFactory;

  constructor(opts: TerminalHubOptions) {
    this.sink = opts.sink;
    this.log = opts.log;
    this.scrollbackBytes = opts.scrollbackBytes ?? 512 * 1024;
    this.flushIntervalMs = opts.flushIntervalMs ?? 16;
    this.maxPendingBytes = opts.maxPendingBytes ?? 64 * 1024;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 5 * 60_000;
    this.finishedTtlMs = opts.finishedTtlMs ?? 10 * 60_000;
    this.killGraceMs = opts.killGraceMs ?? 2_000;
    this.ptyFactory = opts.ptyFactory ?? nodePtyFactory;
  }

  /**
   * Starts `file` with `args` (an argv, never a shell line) in a pty under terminal `id`. A finished
   * terminal of the same id is reused: its scrollback stays and the new output follows it.
   */
  spawn(id: string, file: string, args: string[], opts: SpawnOptions): { exited: Promise<number> } {
    const existing = this.terminals.get(id);
    if (existing?.proc) throw new AppError('STACK_BUSY', `terminal "${id}" is still running`);
    const cols = opts.cols ?? existing?.cols ?? DEFAULT_COLS;
    const rows = opts.rows ?? existing?.rows ?? DEFAULT_ROWS;
    let proc: IPtyLike;
    try {
      proc = this.ptyFactory(file, args, { cwd: opts.cwd, env: opts.env ?? childEnv(), cols, rows });
    } catch (err) {
      this.log.error({ err, id, file }, 'could not start a terminal process');
      throw new AppError('INTERNAL', `could not start ${file}`);
    }

    const t = existing ?? this.create(id, opts.interactive, cols, rows);
    t.interactive = opts.interactive;
    t.owner = opts.owner;
    t.proc = proc;
    t.exitCode = null;
    t.cols = cols;
    t.rows = rows;
    clearTimer(t, 'forgetTimer');
    this.terminals.set(id, t);
    this.log.info({ id, file, pid: proc.pid, interactive: opts.interactive }, 'terminal started');

    const onData = opts.onData;
    const dataSub = proc.onData((data) => {
      if (t.proc !== proc) return;
      if (onData) {
        try {
          onData(data);
        } catch (err) {
          this.log.warn({ err, id }, 'terminal onData callback failed');
        }
      }
      this.append(t, data);
    });
    t.exited = new Promise<number>((resolve) => {
      const exitSub = proc.onExit(({ exitCode, signal }) => {
        dataSub.dispose();
        exitSub.dispose();
        const code = signal ? 128 + signal : exitCode;
        if (t.proc === proc) this.onExit(t, code);
        resolve(code);
      });
    });
    if (t.interactive && t.viewers.size === 0) this.armIdle(t);
    return { exited: t.exited };
  }

  /**
   * Writes Berth's own text (a command header, a result line) into terminal `id`, creating it
   * (read-only, no process) when missing. It reaches viewers in order with the process output.
   */
  note(id: string, text: string): void {
    const t = this.terminals.get(id) ?? this.create(id, false, DEFAULT_COLS, DEFAULT_ROWS);
    this.terminals.set(id, t);
    this.append(t, text);
  }

  /** The owner given at spawn; undefined for terminals anyone who may read can watch. */
  ownerOf(id: string): string | undefined {
    return this.terminals.get(id)?.owner;
  }

  write(id: string, data: string): void {
    const t = this.require(id);
    if (!t.interactive) throw new AppError('FORBIDDEN', 'this terminal is read-only');
    if (!t.proc) throw new AppError('CONFLICT', 'the process has ended');
    t.proc.write(data);
  }

  resize(id: string, cols: number, rows: number): void {
    const t = this.require(id);
    if (!isDimension(cols) || !isDimension(rows)) {
      throw new AppError('BAD_REQUEST', 'cols and rows must be positive integers');
    }
    t.cols = cols;
    t.rows = rows;
    if (!t.proc) return;
    try {
      t.proc.resize(cols, rows);
    } catch (err) {
      // The pty can close between the exit of the process and the exit event.
      this.log.debug({ err, id }, 'resize of a closing terminal ignored');
    }
  }

  /**
   * Registers a viewer and returns the whole scrollback. Pending output is flushed to the sink first,
   * so everything in the returned buffer has already been sent to the earlier viewers and everything
   * flushed later is new: a viewer that joins the room right after this call sees no gap and no
   * duplicate.
   */
  join(id: string, viewerId: string): TerminalSnapshot {
    const t = this.require(id);
    this.flush(t);
    t.viewers.add(viewerId);
    clearTimer(t, 'idleTimer');
    return this.snapshot(t);
  }

  leave(id: string, viewerId: string): void {
    const t = this.terminals.get(id);
    if (t?.viewers.delete(viewerId)) this.onViewerGone(t);
  }

  /** A viewer is gone for good (its socket disconnected). */
  leaveAll(viewerId: string): void {
    for (const t of this.terminals.values()) {
      if (t.viewers.delete(viewerId)) this.onViewerGone(t);
    }
  }

  /** SIGHUP, then SIGKILL if the process is still there after the grace period. No-op when finished. */
  kill(id: string): void {
    this.terminate(this.require(id));
  }

  get(id: string): TerminalSnapshot | undefined {
    const t = this.terminals.get(id);
    return t && this.snapshot(t);
  }

  has(id: string): boolean {
    return this.terminals.has(id);
  }

  isRunning(id: string): boolean {
    return this.terminals.get(id)?.proc != null;
  }

  list(): string[] {
    return [...this.terminals.keys()];
  }

  /** Drops a finished terminal and its scrollback. Returns whether it existed. */
  forget(id: string): boolean {
    const t = this.terminals.get(id);
    if (!t) return false;
    if (t.proc) throw new AppError('CONFLICT', `terminal "${id}" is still running`);
    this.dispose(t);
    this.terminals.delete(id);
    return true;
  }

  /** Kills every process and waits (a bounded time) for them to exit; clears every timer. */
  async closeAll(): Promise<void> {
    const exits: Promise<number>[] = [];
    for (const t of this.terminals.values()) {
      if (t.proc && t.exited) {
        exits.push(t.exited);
        this.terminate(t);
      }
    }
    if (exits.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      });
      await Promise.race([Promise.all(exits), timeout]);
      clearTimeout(timer);
    }
    for (const t of this.terminals.values()) this.dispose(t);
  }

  private create(id: string, interactive: boolean, cols: number, rows: number): Terminal {
    return {
      id,
      interactive,
      owner: undefined,
      proc: null,
      exited: null,
      exitCode: null,
      cols,
      rows,
      scrollback: new Scrollback(this.scrollbackBytes),
      pending: [],
      pendingBytes: 0,
      flushTimer: null,
      viewers: new Set(),
      idleTimer: null,
      killTimer: null,
      forgetTimer: null,
    };
  }

  /** Output goes to the scrollback (for later joiners) and to the pending batch (for the sink). */
  private append(t: Terminal, data: string): void {
    if (data.length === 0) return;
    const bytes = Buffer.byteLength(data);
    t.scrollback.append(data, bytes);
    t.pending.push(data);
    t.pendingBytes += bytes;
    if (t.pendingBytes >= this.maxPendingBytes) {
      this.flush(t);
    } else if (!t.flushTimer) {
      t.flushTimer = setTimeout(() => {
        t.flushTimer = null;
        this.flush(t);
      }, this.flushIntervalMs);
    }
  }

  private onExit(t: Terminal, code: number): void {
    t.proc = null;
    t.exitCode = code;
    clearTimer(t, 'idleTimer');
    clearTimer(t, 'killTimer');
    this.flush(t);
    this.log.info({ id: t.id, exitCode: code }, 'terminal exited');
    try {
      this.sink.exit(t.id, code);
    } catch (err) {
      this.log.warn({ err, id: t.id }, 'terminal sink failed on exit');
    }
    if (t.interactive) {
      t.forgetTimer = setTimeout(() => {
        t.forgetTimer = null;
        if (this.terminals.get(t.id) === t && !t.proc) this.terminals.delete(t.id);
      }, this.finishedTtlMs);
      t.forgetTimer.unref();
    }
  }

  private flush(t: Terminal): void {
    clearTimer(t, 'flushTimer');
    if (t.pending.length === 0) return;
    const data = t.pending.length === 1 ? (t.pending[0] ?? '') : t.pending.join('');
    t.pending = [];
    t.pendingBytes = 0;
    try {
      this.sink.output(t.id, data);
    } catch (err) {
      this.log.warn({ err, id: t.id }, 'terminal sink failed on output');
    }
  }

  private onViewerGone(t: Terminal): void {
    if (t.viewers.size === 0 && t.interactive && t.proc) this.armIdle(t);
  }

  private armIdle(t: Terminal): void {
    clearTimer(t, 'idleTimer');
    t.idleTimer = setTimeout(() => {
      t.idleTimer = null;
      if (t.viewers.size > 0 || !t.proc) return;
      this.log.info({ id: t.id, idleTimeoutMs: this.idleTimeoutMs }, 'closing a terminal nobody watches');
      this.terminate(t);
    }, this.idleTimeoutMs);
    t.idleTimer.unref();
  }

  private terminate(t: Terminal): void {
    const proc = t.proc;
    if (!proc || t.killTimer) return;
    proc.kill('SIGHUP');
    t.killTimer = setTimeout(() => {
      t.killTimer = null;
      if (t.proc !== proc) return;
      this.log.warn({ id: t.id, pid: proc.pid }, 'terminal ignored SIGHUP, sending SIGKILL');
      proc.kill('SIGKILL');
    }, this.killGraceMs);
  }

  private dispose(t: Terminal): void {
    this.flush(t);
    clearTimer(t, 'idleTimer');
    clearTimer(t, 'killTimer');
    clearTimer(t, 'forgetTimer');
  }

  private snapshot(t: Terminal): TerminalSnapshot {
    return { buffer: t.scrollback.toString(), running: t.proc != null, exitCode: t.exitCode };
  }

  private require(id: string): Terminal {
    const t = this.terminals.get(id);
    if (!t) throw new AppError('NOT_FOUND', `no terminal "${id}"`);
    return t;
  }
}

type TimerKey = 'flushTimer' | 'idleTimer' | 'killTimer' | 'forgetTimer';

function clearTimer(t: Terminal, key: TimerKey): void {
  const timer = t[key];
  if (timer) {
    clearTimeout(timer);
    t[key] = null;
  }
}

const isDimension = (n: number): boolean => Number.isInteger(n) && n > 0 && n <= 10_000;
