import type { LogStream } from '../../../common/logs.js';

/** One line as the engine sent it: its time stamp, its stream and its text (no line break). */
export interface RawLogLine {
  ts: string;
  stream: LogStream;
  text: string;
}

const NL = 0x0a;
/** A line longer than this is cut: one runaway line must not hold memory without bound. */
export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Joins byte chunks into lines. Splitting happens on bytes (0x0A never occurs inside a UTF-8
 * sequence) and each line is decoded on its own, non-fatally: invalid UTF-8 becomes U+FFFD and
 * never breaks the stream. (Buffer's UTF-8 decoding replaces like a non-fatal TextDecoder and
 * costs far less per call, which matters at tens of thousands of lines a second.)
 */
export class LineJoiner {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxLine = MAX_LINE_BYTES) {}

  /** Feeds a chunk; calls `onLine` for every line it completes. */
  push(input: Uint8Array, onLine: (line: string) => void): void {
    const chunk = Buffer.isBuffer(input)
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NL, start);
      const end = nl < 0 ? chunk.length : nl;
      // The common case: a whole line inside one chunk, decoded straight from it.
      if (nl >= 0 && this.size === 0 && end - start <= this.maxLine) {
        onLine(stripCr(chunk.toString('utf8', start, end)));
        start = nl + 1;
        continue;
      }
      let piece = chunk.subarray(start, end);
      while (this.size + piece.length > this.maxLine) {
        const room = this.maxLine - this.size;
        this.keep(piece.subarray(0, room));
        this.emit(onLine);
        piece = piece.subarray(room);
      }
      this.keep(piece);
      if (nl < 0) break;
      this.emit(onLine);
      start = nl + 1;
    }
  }

  /** The unterminated rest, as a last line (at the end of a stream). */
  flush(onLine: (line: string) => void): void {
    if (this.size > 0) this.emit(onLine);
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    // Copy: the rest of a line outlives the chunk it came in.
    this.parts.push(Buffer.from(bytes));
    this.size += bytes.length;
  }

  private emit(onLine: (line: string) => void): void {
    const bytes = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    onLine(stripCr(bytes.toString('utf8')));
  }
}

const stripCr = (text: string): string => (text.endsWith('\r') ? text.slice(0, -1) : text);

const TS_RE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) ?/;

/** The engine writes RFC3339Nano with trailing zeros dropped; 9 digits make stamps sort as strings. */
export function normalizeTs(ts: string): string | null {
  const m = TS_RE.exec(ts);
  if (!m) return null;
  const frac = (m[2] ?? '').padEnd(9, '0');
  if (m[3] === 'Z') return `${m[1]}.${frac}Z`;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return null;
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

const FULL_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/;

/** Splits `<ts> <text>` as the engine writes it with timestamps=true. */
export function splitTimestamp(line: string): { ts: string; text: string } | null {
  // Fast path: a stamp with all 9 digits is already in the normalised form.
  if (line.charCodeAt(30) === 0x20 || line.length === 30) {
    const ts = line.slice(0, 30);
    if (FULL_TS.test(ts)) return { ts, text: line.slice(31) };
  }
  const m = TS_RE.exec(line);
  if (!m) return null;
  const ts = normalizeTs(m[0].trimEnd());
  return ts ? { ts, text: line.slice(m[0].length) } : null;
}

/** Unix seconds with 9 fraction digits, as the Engine API's since/until take them. */
export function toUnixSeconds(ts: string): string {
  const norm = normalizeTs(ts);
  if (!norm) {
    if (/^\d+(\.\d+)?$/.test(ts)) return ts;
    throw new Error(`not a time: ${ts}`);
  }
  const seconds = Math.floor(Date.parse(norm.slice(0, 19) + 'Z') / 1000);
  return `${seconds}.${norm.slice(20, 29)}`;
}

/** A LogTime (RFC 3339 or Unix seconds) as a normalised stamp. */
export function parseLogTime(v: string): string {
  if (/^\d+(\.\d+)?$/.test(v)) {
    const [sec = '0', frac = ''] = v.split('.');
    const iso = new Date(Number(sec) * 1000).toISOString().slice(0, 19);
    return `${iso}.${frac.padEnd(9, '0').slice(0, 9)}Z`;
  }
  // Seconds may be left out: 2024-05-01T10:00Z.
  const ts = normalizeTs(/T\d\d:\d\d(Z|[+-])/.test(v) ? v.replace(/(T\d\d:\d\d)/, '$1:00') : v);
  if (!ts) throw new Error(`not a time: ${v}`);
  return ts;
}

/**
 * Decodes what the Engine API sends for one container into lines. Without a TTY the body is
 * multiplexed (frames of [stream, 0, 0, 0, size:u32be] + payload, split anywhere across chunks);
 * with one it is raw bytes on stdout. stdout and stderr are joined separately.
 */
export class LogDecoder {
  private readonly joiners = { stdout: new LineJoiner(), stderr: new LineJoiner() };
  private header = Buffer.alloc(8);
  private headerFill = 0;
  private frameLeft = 0;
  private frameStream: LogStream = 'stdout';
  private lastTs = '';

  constructor(
    private readonly tty: boolean,
    private readonly onLine: (line: RawLogLine) => void,
  ) {}

  push(chunk: Uint8Array): void {
    if (this.tty) {
      this.feed('stdout', chunk);
      return;
    }
    let at = 0;
    while (at < chunk.length) {
      if (this.frameLeft === 0) {
        const take = Math.min(8 - this.headerFill, chunk.length - at);
        this.header.set(chunk.subarray(at, at + take), this.headerFill);
        this.headerFill += take;
        at += take;
        if (this.headerFill < 8) return;
        this.headerFill = 0;
        this.frameStream = this.header[0] === 2 ? 'stderr' : 'stdout';
        this.frameLeft = this.header.readUInt32BE(4);
        continue;
      }
      const take = Math.min(this.frameLeft, chunk.length - at);
      this.feed(this.frameStream, chunk.subarray(at, at + take));
      this.frameLeft -= take;
      at += take;
    }
  }

  end(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      this.joiners[stream].flush((l) => this.line(stream, l));
    }
  }

  private feed(stream: LogStream, bytes: Uint8Array): void {
    this.joiners[stream].push(bytes, (l) => this.line(stream, l));
  }

  private line(stream: LogStream, raw: string): void {
    const split = splitTimestamp(raw);
    if (split) {
      this.lastTs = split.ts;
      this.onLine({ ts: split.ts, stream, text: split.text });
    } else if (raw.length > 0) {
      // The rest of a line cut at MAX_LINE_BYTES has no stamp of its own.
      this.onLine({ ts: this.lastTs, stream, text: raw });
    }
  }
}
