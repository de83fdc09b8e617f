import { describe, expect, it } from 'vitest';
import { Scrollback } from '../../../server/src/terminals/scrollback.js';

const hasLoneSurrogate = (s: string): boolean =>
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);

describe('Scrollback', () => {
  it('keeps everything under the cap', () => {
    const s = new Scrollback(1024);
    s.append('hello ');
    s.append('world');
    expect(s.toString()).toBe('hello world');
    expect(s.bytes).toBe(11);
  });

  it('drops the oldest data at a line start when one is near', () => {
    const s = new Scrollback(1000);
    let all = '';
    for (let i = 0; i < 500; i++) {
      const line = `line ${i}\n`;
      all += line;
      s.append(line);
    }
    const text = s.toString();
    expect(s.bytes).toBeLessThanOrEqual(1000);
    expect(text.length).toBeGreaterThan(800);
    expect(all.endsWith(text)).toBe(true);
    expect(text.startsWith('line ')).toBe(true);
  });

  it('never splits a surrogate pair and counts UTF-8 bytes', () => {
    const s = new Scrollback(4096);
    let all = '';
    for (let i = 0; i < 3000; i++) {
      const piece = i % 7 === 0 ? 'é' : '😀'; // 2 and 4 bytes, no newline anywhere
      all += piece;
      s.append(piece);
    }
    const text = s.toString();
    expect(Buffer.byteLength(text)).toBe(s.bytes);
    expect(s.bytes).toBeLessThanOrEqual(4096);
    expect(hasLoneSurrogate(text)).toBe(false);
    expect(all.endsWith(text)).toBe(true);
  });

  it('cuts inside one big chunk', () => {
    const s = new Scrollback(100);
    s.append('a'.repeat(50_000) + 'END');
    const text = s.toString();
    expect(text.length).toBeLessThanOrEqual(100);
    expect(text.endsWith('aEND')).toBe(true);
  });

  it('bounds the number of chunks under a stream of tiny appends', () => {
    const s = new Scrollback(64 * 1024);
    let all = '';
    for (let i = 0; i < 200_000; i++) {
      const c = String.fromCharCode(97 + (i % 26));
      all += c;
      s.append(c);
    }
    expect(s.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(s.bytes).toBeGreaterThan(56 * 1024 - 1);
    expect(all.endsWith(s.toString())).toBe(true);
  });
});
