import { describe, expect, it } from 'vitest';
import {
  LineJoiner,
  LogDecoder,
  normalizeTs,
  parseLogTime,
  toUnixSeconds,
  type RawLogLine,
} from '../../../server/src/logs/log-decoder.js';

const frame = (stream: 1 | 2, text: string): Buffer => {
  const body = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = stream;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
};

function decode(tty: boolean, chunks: Uint8Array[]): RawLogLine[] {
  const out: RawLogLine[] = [];
  const d = new LogDecoder(tty, (l) => out.push(l));
  for (const c of chunks) d.push(c);
  d.end();
  return out;
}

/** Cuts a buffer into pieces of the given sizes (the rest is the last piece). */
function cut(buf: Buffer, ...sizes: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(buf.subarray(at, at + s));
    at += s;
  }
  out.push(buf.subarray(at));
  return out;
}

describe('LineJoiner', () => {
  it('joins lines split across chunks and keeps several lines of one chunk apart', () => {
    const lines: string[] = [];
    const j = new LineJoiner();
    for (const c of ['hel', 'lo\nwor', 'ld\n\nlast']) j.push(Buffer.from(c), (l) => lines.push(l));
    j.flush((l) => lines.push(l));
    expect(lines).toEqual(['hello', 'world', '', 'last']);
  });

  it('decodes a multi-byte character split between chunks, and turns invalid UTF-8 into U+FFFD', () => {
    const lines: string[] = [];
    const j = new LineJoiner();
    const euro = Buffer.from('price 5€\n');
    j.push(euro.subarray(0, 8), (l) => lines.push(l)); // cuts inside the 3-byte €
    j.push(euro.subarray(8), (l) => lines.push(l));
    j.push(Buffer.from([0x61, 0xff, 0xfe, 0x62, 0x0a]), (l) => lines.push(l));
    j.push(Buffer.from('still fine\n'), (l) => lines.push(l));
    expect(lines).toEqual(['price 5€', 'a\uFFFD\uFFFDb', 'still fine']);
  });

  it('cuts a line longer than its limit instead of holding it', () => {
    const lines: string[] = [];
    const j = new LineJoiner(10);
    j.push(Buffer.from('abcdefghijklmnopqrstuvwxyz\n'), (l) => lines.push(l));
    expect(lines).toEqual(['abcdefghij', 'klmnopqrst', 'uvwxyz']);
  });

  it('drops the CR of a TTY line ending', () => {
    const lines: string[] = [];
    new LineJoiner().push(Buffer.from('tty line\r\n'), (l) => lines.push(l));
    expect(lines).toEqual(['tty line']);
  });
});

describe('LogDecoder', () => {
  const TS = '2024-05-01T10:00:00.123456789Z';

  it('demultiplexes stdout and stderr frames, headers and bodies split at every byte', () => {
    const wire = Buffer.concat([
      frame(1, `${TS} out one\n`),
      frame(2, `${TS} err one\n`),
      frame(1, `${TS} out two\n`),
    ]);
    const whole = decode(false, [wire]);
    expect(whole).toEqual([
      { ts: TS, stream: 'stdout', text: 'out one' },
      { ts: TS, stream: 'stderr', text: 'err one' },
      { ts: TS, stream: 'stdout', text: 'out two' },
    ]);
    const bytewise = decode(
      false,
      [...wire].map((b) => Uint8Array.of(b)),
    );
    expect(bytewise).toEqual(whole);
    expect(decode(false, cut(wire, 3, 9, 20))).toEqual(whole);
  });

  it('joins a line the engine sent in two frames', () => {
    const lines = decode(false, [frame(1, `${TS} first half`), frame(1, ' second half\n')]);
    expect(lines).toEqual([{ ts: TS, stream: 'stdout', text: 'first half second half' }]);
  });

  it('reads a TTY container raw, as stdout', () => {
    const lines = decode(true, cut(Buffer.from(`${TS} \x1b[31mred\x1b[0m\r\n${TS} two\r\n`), 5, 30));
    expect(lines).toEqual([
      { ts: TS, stream: 'stdout', text: '\x1b[31mred\x1b[0m' },
      { ts: TS, stream: 'stdout', text: 'two' },
    ]);
  });

  it('pads engine stamps to 9 fraction digits so they sort as strings', () => {
    const lines = decode(false, [frame(1, '2024-05-01T10:00:00.12Z a\n2024-05-01T10:00:00.123Z b\n')]);
    expect(lines.map((l) => l.ts)).toEqual([
      '2024-05-01T10:00:00.120000000Z',
      '2024-05-01T10:00:00.123000000Z',
    ]);
    expect(lines[0]!.ts < lines[1]!.ts).toBe(true);
  });
});

describe('times', () => {
  it('normalises offsets to UTC and converts to the Engine API form', () => {
    expect(normalizeTs('2024-05-01T12:00:00.5+02:00')).toBe('2024-05-01T10:00:00.500000000Z');
    expect(toUnixSeconds('2024-05-01T10:00:00.123456789Z')).toBe('1714557600.123456789');
    expect(parseLogTime('1714557600.5')).toBe('2024-05-01T10:00:00.500000000Z');
    expect(parseLogTime('2024-05-01T10:00Z')).toBe('2024-05-01T10:00:00.000000000Z');
    expect(() => parseLogTime('yesterday')).toThrow();
  });
});
