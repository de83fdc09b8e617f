import type { Diagnostic } from '@codemirror/lint';
import type { Problem } from '../../../../common/stack.js';

/**
 * Pure helpers turning a `Problem`'s 1-based line/column positions (end exclusive) into document
 * offsets. They work on anything shaped like CodeMirror's `Text` so they can be tested without it.
 */

export interface LineLike {
  /** Offset of the line's first character. */
  readonly from: number;
  /** Offset just past the line's last character (before the line break). */
  readonly to: number;
  readonly length: number;
}

export interface DocLike {
  /** Number of lines; at least 1 (an empty document has one empty line). */
  readonly lines: number;
  /** Line `n`, 1-based, for 1 ≤ n ≤ lines. */
  line(n: number): LineLike;
}

export interface Range {
  from: number;
  to: number;
}

function clampInt(value: number, min: number, max: number): number {
  const n = Number.isNaN(value) ? min : Math.trunc(value);
  return Math.min(Math.max(n, min), max);
}

/**
 * Offset of a 1-based line and column, clamped to the document: a line past the end means the last
 * line, a column past the end of its line means the end of that line.
 */
export function positionToOffset(doc: DocLike, line: number, column: number): number {
  const lineNo = clampInt(line, 1, Math.max(1, doc.lines));
  const info = doc.line(lineNo);
  return info.from + clampInt(column, 1, info.length + 1) - 1;
}

/**
 * The document range a problem covers. Out-of-range lines and columns are clamped, a reversed range
 * is put in order, and an empty range is widened to one character on its line (the one after, or
 * else the one before) so there is always something to underline; only on an empty line does it
 * stay empty.
 */
export function problemToRange(doc: DocLike, p: Problem): Range {
  let from = positionToOffset(doc, p.line, p.column);
  let to = positionToOffset(doc, p.endLine, p.endColumn);
  if (to < from) [from, to] = [to, from];
  if (from === to) {
    const info = doc.line(clampInt(p.line, 1, Math.max(1, doc.lines)));
    if (to < info.to) to += 1;
    else if (from > info.from) from -= 1;
  }
  return { from, to };
}

/** Problems as CodeMirror lint diagnostics on `doc`. */
export function problemsToDiagnostics(doc: DocLike, problems: readonly Problem[]): Diagnostic[] {
  return problems.map((p) => ({ ...problemToRange(doc, p), severity: p.severity, message: p.message }));
}
