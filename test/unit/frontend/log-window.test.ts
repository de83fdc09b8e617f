import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../common/logs';
import { parseAnsi, plainText } from '../../../frontend/src/components/logs/ansi';
import { compileMatcher, LogWindow, markRegex } from '../../../frontend/src/components/logs/log-window';

const line = (sec: number, text = `line ${sec}`, level?: LogLine['level']): LogLine => ({
  ts: `2024-05-01T10:${String(Math.floor(sec / 60)).padStart(2, '0')}:${String(sec % 60).padStart(2, '0')}.000000000Z`,
  container: 'c',
  service: 's',
  stream: 'stdout',
  text,
  ...(level ? { level } : {}),
});
const texts = (ls: LogLine[]) => ls.map((l) => l.text);

describe('parseAnsi', () => {
  it('turns SGR sequences into styled segments and drops other escapes', () => {
    expect(parseAnsi('plain')).toEqual([{ text: 'plain', style: '' }]);
    expect(parseAnsi('\x1b[1;31mred bold\x1b[0m then \x1b[2Kplain')).toEqual([
      { text: 'red bold', style: 'color:#cd3131;font-weight:700' },
      { text: ' then ', style: '' },
      { text: 'plain', style: '' },
    ]);
    expect(parseAnsi('\x1b[38;5;196mx\x1b[48;2;1;2;3my\x1b[39;49mz')).toEqual([
      { text: 'x', style: 'color:rgb(255,0,0)' },
      { text: 'y', style: 'color:rgb(255,0,0);background:rgb(1,2,3)' },
      { text: 'z', style: '' },
    ]);
    expect(parseAnsi('\x1b[94mbright\x1b[m')).toEqual([{ text: 'bright', style: 'color:#3b8eea' }]);
    expect(plainText('\x1b]0;title\x07a\x1b[32mb\x1b[0m')).toBe('ab');
  });

  it('never yields markup: text stays text', () => {
    expect(parseAnsi('\x1b[31m<img src=x onerror=alert(1)>')).toEqual([
      { text: '<img src=x onerror=alert(1)>', style: 'color:#cd3131' },
    ]);
  });
});

describe('LogWindow', () => {
  it('appends in order, inserts late lines of another container in place, and caps the window', () => {
    const w = new LogWindow(5);
    w.append([line(1), line(2), line(4)]);
    w.append([line(3)]);
    expect(texts(w.lines)).toEqual(['line 1', 'line 2', 'line 3', 'line 4']);
    w.append([line(5), line(6), line(7)]);
    expect(texts(w.lines)).toEqual(['line 3', 'line 4', 'line 5', 'line 6', 'line 7']);
    expect(texts(w.shown)).toEqual(texts(w.lines));
  });

  it('keeps the filtered view in step with appends and the cap', () => {
    const w = new LogWindow(4);
    w.setFilter(compileMatcher({ q: 'ERR', regex: false, invert: false, levels: [] }), false);
    w.append([line(1, 'ok'), line(2, 'err a'), line(3, 'ok'), line(4, 'err b')]);
    expect(texts(w.shown)).toEqual(['err a', 'err b']);
    w.append([line(5, 'ok'), line(6, 'ok')]);
    expect(texts(w.shown)).toEqual(['err b']);
    w.setFilter(compileMatcher({ q: 'ERR', regex: false, invert: false, levels: [] }), true);
    expect(texts(w.shown)).toEqual(['ok', 'err b', 'ok', 'ok']);
  });

  it('prepends older lines only in front and only while there is room', () => {
    const w = new LogWindow(4);
    w.append([line(10), line(11)]);
    expect(w.prepend([line(7), line(8), line(9), line(12)])).toBe(2);
    expect(texts(w.lines)).toEqual(['line 8', 'line 9', 'line 10', 'line 11']);
  });
});

describe('compileMatcher', () => {
  const ls = [
    line(1, '\x1b[31mGET\x1b[0m /a 200', 'info'),
    line(2, 'POST /b 500', 'error'),
    line(3, 'nothing'),
  ];
  const run = (f: Parameters<typeof compileMatcher>[0]) => {
    const m = compileMatcher(f);
    return ls.filter((l) => !m || m(l)).map((l) => l.text.slice(-6));
  };

  it('matches like the server: plain case-insensitive, regex, invert, levels; ANSI ignored', () => {
    const none = { q: '', regex: false, invert: false, levels: [] };
    expect(run(none)).toHaveLength(3);
    expect(run({ ...none, q: 'get /a' })).toEqual(['/a 200']);
    expect(run({ ...none, q: '5\\d\\d$', regex: true })).toEqual(['/b 500']);
    expect(run({ ...none, q: 'get', invert: true })).toEqual(['/b 500', 'othing']);
    expect(run({ ...none, levels: ['error'] })).toEqual(['/b 500']);
    expect(() => compileMatcher({ ...none, q: '(', regex: true })).toThrow();
    expect(markRegex({ ...none, q: 'a.b' })?.source).toBe('a\\.b');
    expect(markRegex({ ...none, q: 'x', invert: true })).toBeNull();
  });
});
