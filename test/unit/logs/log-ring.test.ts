import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../common/logs.js';
import { compileFilter } from '../../../server/src/logs/log-filter.js';
import { lineCost, LogRing } from '../../../server/src/logs/log-ring.js';

const line = (i: number, text = `line ${i}`, level?: LogLine['level']): LogLine => ({
  ts: `2024-05-01T10:00:${String(i % 60).padStart(2, '0')}.000000000Z`,
  container: 'c',
  service: 's',
  stream: 'stdout',
  text,
  ...(level ? { level } : {}),
});

describe('LogRing', () => {
  it('keeps the newest lines within its byte budget', () => {
    const budget = lineCost(line(0)) * 10;
    const ring = new LogRing(budget);
    for (let i = 0; i < 5000; i++) ring.push(line(i % 10, `line ${i % 10}`));
    expect(ring.bytes).toBeLessThanOrEqual(budget);
    expect(ring.size).toBe(10);
    expect(ring.last(3).map((l) => l.text)).toEqual(['line 7', 'line 8', 'line 9']);
    expect(ring.last()).toHaveLength(10);
  });

  it('keeps one line even when that line alone is over budget', () => {
    const ring = new LogRing(10);
    ring.push(line(1, 'x'.repeat(100)));
    ring.push(line(2, 'y'.repeat(100)));
    expect(ring.last().map((l) => l.text[0])).toEqual(['y']);
  });

  it('answers the lines since a stamp', () => {
    const ring = new LogRing(1e6);
    for (let i = 0; i < 10; i++) ring.push(line(i));
    expect(ring.since(line(7).ts).map((l) => l.text)).toEqual(['line 7', 'line 8', 'line 9']);
  });
});

describe('compileFilter', () => {
  const lines = [
    line(1, 'GET /health 200', 'info'),
    line(2, 'POST /login 500', 'error'),
    line(3, 'no level'),
  ];
  const texts = (f: Parameters<typeof compileFilter>[0]) => {
    const fn = compileFilter(f);
    return lines.filter((l) => !fn || fn(l)).map((l) => l.text);
  };

  it('matches plain text case-insensitively, regex, invert and levels', () => {
    expect(texts({})).toHaveLength(3);
    expect(texts({ q: 'get' })).toEqual(['GET /health 200']);
    expect(texts({ q: '\\s5\\d\\d$', regex: true })).toEqual(['POST /login 500']);
    expect(texts({ q: 'get', invert: true })).toEqual(['POST /login 500', 'no level']);
    expect(texts({ level: ['error', 'fatal'] })).toEqual(['POST /login 500']);
    expect(texts({ level: ['info'], q: 'login' })).toEqual([]);
  });

  it('refuses a regex that does not compile, with the reason', () => {
    expect(() => compileFilter({ q: '(unclosed', regex: true })).toThrow(/invalid regex: .*/);
  });
});
