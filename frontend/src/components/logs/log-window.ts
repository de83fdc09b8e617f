import type { LogLevel, LogLine } from '../../../../common/logs';
import { plainText } from './ansi';

export interface LogFilterState {
  q: string;
  regex: boolean;
  invert: boolean;
  levels: LogLevel[];
}

export type LineMatcher = ((line: LogLine) => boolean) | null;

/**
 * The same filter the server applies (server/src/logs/log-filter.ts): text plain and
 * case-insensitive or a case-insensitive regex, inverted or not, and levels. Throws on a bad regex.
 */
export function compileMatcher(f: LogFilterState): LineMatcher {
  const levels = f.levels.length > 0 ? new Set<string>(f.levels) : null;
  let text: ((s: string) => boolean) | null = null;
  if (f.q) {
    if (f.regex) {
      const re = new RegExp(f.q, 'i');
      text = (s) => re.test(s);
    } else {
      const needle = f.q.toLowerCase();
      text = (s) => s.toLowerCase().includes(needle);
    }
  }
  if (!levels && !text) return null;
  return (line) => {
    if (levels && !(line.level && levels.has(line.level))) return false;
    return text ? text(plainText(line.text)) !== f.invert : true;
  };
}

/** A regex that finds the search text in a line, for marking matches (null when nothing to mark). */
export function markRegex(f: LogFilterState): RegExp | null {
  if (!f.q || f.invert) return null;
  try {
    return new RegExp(f.regex ? f.q : f.q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi');
  } catch {
    return null;
  }
}

const before = (a: LogLine, b: LogLine) => a.ts < b.ts;

/**
 * The browser's capped window of lines, kept in time order: live batches append (or insert, when a
 * container's line is older than the newest shown), older pages prepend, the oldest fall off past
 * the cap. `shown` is the filtered view, maintained incrementally so 5,000 lines/s stay cheap.
 */
export class LogWindow {
  lines: LogLine[] = [];
  shown: LogLine[] = [];
  private matcher: LineMatcher = null;
  private showAll = true;

  constructor(public cap = 10_000) {}

  setFilter(matcher: LineMatcher, highlightOnly: boolean): void {
    this.matcher = matcher;
    this.showAll = !matcher || highlightOnly;
    this.refilter();
  }

  matches(line: LogLine): boolean {
    return !this.matcher || this.matcher(line);
  }

  private keep(line: LogLine): boolean {
    return this.showAll || this.matches(line);
  }

  private refilter(): void {
    this.shown = this.showAll ? this.lines.slice() : this.lines.filter((l) => this.matches(l));
  }

  /** Adds live lines; returns how many fell off the old end. */
  append(batch: LogLine[]): number {
    let ordered = true;
    for (const l of batch) {
      const last = this.lines[this.lines.length - 1];
      if (last && before(l, last)) {
        ordered = false;
        // Binary search from the end: late lines of another container land in place.
        let lo = 0;
        let hi = this.lines.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (before(l, this.lines[mid] as LogLine)) hi = mid;
          else lo = mid + 1;
        }
        this.lines.splice(lo, 0, l);
      } else {
        this.lines.push(l);
        if (ordered && this.keep(l)) this.shown.push(l);
      }
    }
    const over = this.lines.length - this.cap;
    if (over > 0) {
      const dropped = this.lines.splice(0, over);
      if (ordered) {
        let i = 0;
        for (const d of dropped) if (this.shown[i] === d) i++;
        this.shown.splice(0, i);
      }
    }
    if (!ordered) this.refilter();
    return Math.max(0, over);
  }

  /** Adds older lines in front (already oldest first); returns how many were taken. */
  prepend(older: LogLine[]): number {
    const first = this.lines[0];
    const fit = older.filter((l) => !first || before(l, first));
    const room = Math.max(0, this.cap - this.lines.length);
    const take = fit.slice(Math.max(0, fit.length - room));
    this.lines = [...take, ...this.lines];
    this.refilter();
    return take.length;
  }

  clear(): void {
    this.lines = [];
    this.shown = [];
  }

  get oldest(): LogLine | undefined {
    return this.lines[0];
  }

  get newest(): LogLine | undefined {
    return this.lines[this.lines.length - 1];
  }
}
