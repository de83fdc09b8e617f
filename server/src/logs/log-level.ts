import type { LogLevel } from '../../../common/logs.js';

const WORDS: Record<string, LogLevel> = {
  trace: 'trace',
  verbose: 'trace',
  debug: 'debug',
  dbg: 'debug',
  info: 'info',
  information: 'info',
  inf: 'info',
  notice: 'info',
  warn: 'warn',
  warning: 'warn',
  wrn: 'warn',
  error: 'error',
  err: 'error',
  eror: 'error',
  fatal: 'fatal',
  crit: 'fatal',
  critical: 'fatal',
  panic: 'fatal',
  emerg: 'fatal',
  emergency: 'fatal',
  alert: 'fatal',
  // single letters: glog, Serilog's @l short forms are words already
  t: 'trace',
  d: 'debug',
  i: 'info',
  w: 'warn',
  e: 'error',
  f: 'fatal',
};

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

/** Text without ANSI escape sequences (what search and level detection look at). */
export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ANSI, '') : text;
}

function fromWord(word: string): LogLevel | undefined {
  return WORDS[word.toLowerCase()];
}

/** pino / bunyan numbers: 10 trace ... 60 fatal; syslog severities 0-7. */
function fromNumber(n: number): LogLevel | undefined {
  if (n >= 10) {
    if (n >= 60) return 'fatal';
    if (n >= 50) return 'error';
    if (n >= 40) return 'warn';
    if (n >= 30) return 'info';
    if (n >= 20) return 'debug';
    return 'trace';
  }
  if (n >= 0 && n <= 7)
    return (['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'] as const)[n];
  return undefined;
}

const JSON_KEYS = ['level', 'severity', 'lvl', '@l', 'loglevel', 'log.level', 'levelname', '@level'];

function fromJson(text: string): LogLevel | undefined {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const rec = obj as Record<string, unknown>;
  for (const key of JSON_KEYS) {
    let v = rec[key];
    if (v === undefined && key === 'log.level') v = (rec.log as Record<string, unknown> | undefined)?.level;
    if (typeof v === 'string') {
      const lvl = fromWord(v.trim());
      if (lvl) return lvl;
    } else if (typeof v === 'number') {
      const lvl = fromNumber(v);
      if (lvl) return lvl;
    }
  }
  // Serilog compact JSON leaves out @l for Information.
  if ('@t' in rec && ('@m' in rec || '@mt' in rec)) return 'info';
  return undefined;
}

const LEVEL_WORD =
  'TRACE|DEBUG|DBG|INFO|INFORMATION|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRIT|CRITICAL|PANIC|EMERG';
// level=warn, lvl=error, severity="ERROR" (logfmt, anywhere in the line)
const LOGFMT = /(?:^|\s)(?:level|lvl|severity|loglevel)=["']?([a-z]+)/i;
// [ERROR], [warn], <error>, (INFO) near the start
const BRACKETED = new RegExp(`^.{0,60}?[[<(](${LEVEL_WORD})[\\]>)]`, 'i');
// glog / klog: E1122 10:00:00.000000 ...
const GLOG = /^([IWEF])\d{4} \d\d:\d\d:\d\d/;
// ERROR: / WARNING  / INFO - as the leading upper-case word, after an optional time stamp
const PREFIX = new RegExp(`^(?:(?:[\\d:.,/TZ+-]+|UTC|GMT|[A-Z]{2,4}T)\\s+){0,3}(${LEVEL_WORD})(?::|\\s|$)`);
// error: / warning: in lower case only as the very first word (a compiler, a shell)
const LOWER_PREFIX = /^(error|warning|warn|fatal|info|debug|panic)(?::|\[)/i;

/** The level a line declares, by the common conventions; undefined when it declares none. */
export function detectLevel(raw: string): LogLevel | undefined {
  const text = stripAnsi(raw).trimStart();
  if (text.length === 0) return undefined;
  if (text.charCodeAt(0) === 0x7b /* { */) {
    const lvl = fromJson(text);
    if (lvl) return lvl;
  }
  const glog = GLOG.exec(text);
  if (glog?.[1]) return fromWord(glog[1]);
  const head = text.length > 300 ? text.slice(0, 300) : text;
  for (const re of [LOGFMT, BRACKETED, PREFIX, LOWER_PREFIX]) {
    const m = re.exec(head);
    const lvl = m?.[1] ? fromWord(m[1]) : undefined;
    if (lvl) return lvl;
  }
  return undefined;
}
