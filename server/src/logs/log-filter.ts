import type { LogFilterFields, LogLine } from '../../../common/logs.js';
import { AppError } from '../errors.js';
import { stripAnsi } from './log-level.js';

export type LineFilter = (line: LogLine) => boolean;

/**
 * A predicate for a filter: text (plain, case-insensitive; or a case-insensitive regex),
 * inverted or not, and a set of levels. A regex that does not compile is BAD_REQUEST.
 * Returns null for an empty filter (everything matches).
 */
export function compileFilter(f: LogFilterFields): LineFilter | null {
  const levels = f.level && f.level.length > 0 ? new Set<string>(f.level) : null;
  let text: ((s: string) => boolean) | null = null;
  if (f.q) {
    if (f.regex) {
      let re: RegExp;
      try {
        re = new RegExp(f.q, 'i');
      } catch (err) {
        throw new AppError('BAD_REQUEST', `invalid regex: ${(err as Error).message}`);
      }
      text = (s) => re.test(s);
    } else {
      const needle = f.q.toLowerCase();
      text = (s) => s.toLowerCase().includes(needle);
    }
  }
  if (!levels && !text) return null;
  const invert = f.invert === true;
  return (line) => {
    if (levels && !(line.level && levels.has(line.level))) return false;
    if (!text) return true;
    return text(stripAnsi(line.text)) !== invert;
  };
}
