import type { ServerToClientEvents, TerminalJoinResult } from '../../../../common/events.js';
import { LOCAL_HOST } from '../../../../common/host-ref.js';

/*
 * The socket side of one terminal view, without a DOM: join a Berth terminal, render its
 * scrollback, then its live output, re-join after a reconnect, leave. TerminalView.vue plugs an
 * xterm.js Terminal in as the sink and the app's socket in as the transport; the tests plug fakes.
 */

type OutputHandler = ServerToClientEvents['terminal:output'];
type ExitHandler = ServerToClientEvents['terminal:exit'];

/** The part of the app's socket.io socket a session uses (BerthSocket satisfies it). */
export interface TerminalSocketLike {
  readonly connected: boolean;
  on(event: 'terminal:output', handler: OutputHandler): unknown;
  on(event: 'terminal:exit', handler: ExitHandler): unknown;
  on(event: 'connect' | 'disconnect', handler: () => void): unknown;
  off(event: 'terminal:output', handler: OutputHandler): unknown;
  off(event: 'terminal:exit', handler: ExitHandler): unknown;
  off(event: 'connect' | 'disconnect', handler: () => void): unknown;
  emit(event: 'terminal:leave', payload: { id: string; host: string }): unknown;
  emit(event: 'terminal:input', payload: { id: string; host: string; data: string }): unknown;
  emit(event: 'terminal:resize', payload: { id: string; host: string; cols: number; rows: number }): unknown;
}

/** `request('terminal:join', {id, host})` of api/socket.ts: resolves with the ack data or throws. */
export type JoinRequest = (
  event: 'terminal:join',
  payload: { id: string; host: string },
) => Promise<TerminalJoinResult>;

/** Where the terminal's text goes (an xterm.js Terminal in the app). */
export interface TerminalSink {
  write(data: string): void;
  /** Clears the screen and the scrollback and resets the terminal's modes. */
  reset(): void;
}

export interface TerminalSessionOptions {
  socket: TerminalSocketLike;
  request: JoinRequest;
  sink: TerminalSink;
  /** A process of this terminal exited while the session watched it (also one missed while offline). */
  onExit?: (exitCode: number) => void;
  /** A join failed (unknown terminal, server error, timeout while connected). */
  onError?: (message: string) => void;
}

type Queued = { kind: 'output'; data: string } | { kind: 'exit'; exitCode: number };
type State = 'idle' | 'joining' | 'live' | 'failed';

const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const PLAIN = '\x1b[0m';

/** The dim line written when a terminal's process has ended. */
export const exitLine = (exitCode: number): string => `${DIM}[exited with code ${exitCode}]${PLAIN}\r\n`;

export class TerminalSession {
  private id: string | null = null;
  private state: State = 'idle';
  /** Bumped by every join and leave; an ack for an older generation is ignored. */
  private generation = 0;
  /** Output and exits that arrived before the join's ack, written after the snapshot. */
  private queued: Queued[] = [];
  private listening = false;
  /** The connection dropped since the last join was sent: join again on the next 'connect'. */
  private rejoinOnConnect = false;
  /** The process ran at the last join and no exit came since (to report an exit missed offline). */
  private knownRunning = false;
  private atLineStart = true;
  private size: { cols: number; rows: number } | null = null;
  private sentSize = '';
  private current: Promise<void> = Promise.resolve();

  /**
   * The host of the terminal. Terminal ids are each host's own, so `(host, id)` names a terminal:
   * output of another host's terminal with the same id is not this one's.
   */
  private host: string = LOCAL_HOST;

  constructor(private readonly options: TerminalSessionOptions) {}

  /** The terminal this session is attached to, or null. */
  get terminalId(): string | null {
    return this.id;
  }

  /** True once the scrollback is written and live output flows. */
  get live(): boolean {
    return this.state === 'live';
  }

  /** The host of the terminal this session is attached to (`local` when none). */
  get terminalHost(): string {
    return this.host;
  }

  /**
   * Leaves the previous terminal (if another), clears the sink and joins terminal `id` of `host`.
   * Resolves when the join is done (or failed; failures go to onError). Attaching the current
   * terminal again is a no-op.
   */
  attach(id: string, host: string = LOCAL_HOST): Promise<void> {
    if (id === this.id && host === this.host) return this.current;
    this.detach();
    this.id = id;
    this.host = host;
    this.knownRunning = false;
    this.listen();
    this.options.sink.reset();
    this.atLineStart = true;
    this.current = this.join();
    return this.current;
  }

  /** Sends `terminal:leave` for the current terminal and removes every socket listener. */
  detach(): void {
    const id = this.id;
    this.generation++;
    this.id = null;
    this.state = 'idle';
    this.queued = [];
    this.rejoinOnConnect = false;
    this.sentSize = '';
    this.unlisten();
    if (id !== null) this.options.socket.emit('terminal:leave', { id, host: this.host });
  }

  /** Same as detach(); the session can still attach again afterwards. */
  dispose(): void {
    this.detach();
  }

  /** Keystrokes or pasted text for the terminal's process (interactive terminals only). */
  input(data: string): void {
    if (this.id === null || data === '') return;
    this.options.socket.emit('terminal:input', { id: this.id, host: this.host, data });
  }

  /** The viewer's size. Sent now when joined (and changed), and again after every join. */
  resize(cols: number, rows: number): void {
    if (!Number.isFinite(cols) || !Number.isFinite(rows)) return;
    this.size = {
      cols: Math.min(1000, Math.max(2, Math.floor(cols))),
      rows: Math.min(500, Math.max(1, Math.floor(rows))),
    };
    this.sendSize();
  }

  private sendSize(): void {
    if (this.id === null || this.state !== 'live' || this.size === null) return;
    const key = `${this.size.cols}x${this.size.rows}`;
    if (key === this.sentSize) return;
    this.sentSize = key;
    this.options.socket.emit('terminal:resize', { id: this.id, host: this.host, ...this.size });
  }

  private async join(): Promise<void> {
    const id = this.id;
    if (id === null) return;
    const generation = ++this.generation;
    this.state = 'joining';
    this.queued = [];
    // A join emitted while offline is buffered by socket.io and sent on connect: no second join then.
    if (!this.options.socket.connected) this.rejoinOnConnect = false;
    let result: TerminalJoinResult;
    try {
      result = await this.options.request('terminal:join', { id, host: this.host });
    } catch (err) {
      if (generation !== this.generation) return;
      this.state = 'failed';
      this.queued = [];
      if (!this.options.socket.connected) {
        // Timed out while offline: not an error of the terminal; try again once connected.
        this.rejoinOnConnect = true;
        return;
      }
      const message = err instanceof Error ? err.message : String(err);
      this.writeLine(`${RED}[${message}]${PLAIN}`);
      this.options.onError?.(message);
      return;
    }
    if (generation !== this.generation) return;

    const missedExit = this.knownRunning && !result.running && result.exitCode !== null;
    this.state = 'live';
    this.options.sink.reset();
    this.atLineStart = true;
    this.write(result.buffer);
    this.knownRunning = result.running;
    if (!result.running && result.exitCode !== null) this.writeLine(exitLine(result.exitCode));
    if (missedExit && result.exitCode !== null) this.options.onExit?.(result.exitCode);
    const queued = this.queued;
    this.queued = [];
    for (const item of queued) {
      if (item.kind === 'output') this.onOutputLive(item.data);
      else this.onExitLive(item.exitCode);
    }
    this.sentSize = '';
    this.sendSize();
  }

  private readonly handleOutput: OutputHandler = ({ id, data, host }) => {
    if (id !== this.id || (host ?? LOCAL_HOST) !== this.host) return;
    if (this.state === 'joining') this.queued.push({ kind: 'output', data });
    else if (this.state === 'live') this.onOutputLive(data);
  };

  private readonly handleExit: ExitHandler = ({ id, exitCode, host }) => {
    if (id !== this.id || (host ?? LOCAL_HOST) !== this.host) return;
    if (this.state === 'joining') this.queued.push({ kind: 'exit', exitCode });
    else if (this.state === 'live') this.onExitLive(exitCode);
  };

  private readonly handleDisconnect = (): void => {
    if (this.id === null) return;
    this.rejoinOnConnect = true;
    if (this.state === 'live') this.writeLine(`${DIM}[connection lost, reconnecting…]${PLAIN}`);
  };

  private readonly handleConnect = (): void => {
    if (this.id === null || !this.rejoinOnConnect) return;
    this.rejoinOnConnect = false;
    this.current = this.join();
  };

  private onOutputLive(data: string): void {
    this.write(data);
  }

  private onExitLive(exitCode: number): void {
    this.knownRunning = false;
    this.writeLine(exitLine(exitCode));
    this.options.onExit?.(exitCode);
  }

  private write(data: string): void {
    if (data === '') return;
    this.options.sink.write(data);
    this.atLineStart = data.endsWith('\n');
  }

  /** Writes `text` on a line of its own. */
  private writeLine(text: string): void {
    const line = text.endsWith('\n') ? text : text + '\r\n';
    this.write(this.atLineStart ? line : '\r\n' + line);
  }

  private listen(): void {
    if (this.listening) return;
    this.listening = true;
    const { socket } = this.options;
    socket.on('terminal:output', this.handleOutput);
    socket.on('terminal:exit', this.handleExit);
    socket.on('connect', this.handleConnect);
    socket.on('disconnect', this.handleDisconnect);
  }

  private unlisten(): void {
    if (!this.listening) return;
    this.listening = false;
    const { socket } = this.options;
    socket.off('terminal:output', this.handleOutput);
    socket.off('terminal:exit', this.handleExit);
    socket.off('connect', this.handleConnect);
    socket.off('disconnect', this.handleDisconnect);
  }
}
