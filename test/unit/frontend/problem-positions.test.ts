import { Text } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import type { Problem } from '../../../common/stack.js';
import {
  positionToOffset,
  problemsToDiagnostics,
  problemToRange,
} from '../../../frontend/src/components/editor/problem-positions.js';

// "services:\n  web:\n\n    image: nginx" — line starts at 0, 10, 17, 18.
const doc = Text.of(['services:', '  web:', '', '    image: nginx']);

function problem(line: number, column: number, endLine = line, endColumn = column): Problem {
  return { severity: 'error', message: 'm', line, column, endLine, endColumn };
}

describe('positionToOffset', () => {
  it('maps 1-based line and column to an offset', () => {
    expect(positionToOffset(doc, 1, 1)).toBe(0);
    expect(positionToOffset(doc, 2, 3)).toBe(12);
    expect(positionToOffset(doc, 4, 5)).toBe(22);
  });

  it('clamps lines and columns to the document', () => {
    expect(positionToOffset(doc, 0, 1)).toBe(0);
    expect(positionToOffset(doc, -3, -3)).toBe(0);
    expect(positionToOffset(doc, 99, 1)).toBe(18);
    expect(positionToOffset(doc, 2, 99)).toBe(16); // end of "  web:"
    expect(positionToOffset(doc, 99, 99)).toBe(doc.length);
    expect(positionToOffset(doc, Number.NaN, Number.POSITIVE_INFINITY)).toBe(9);
    expect(positionToOffset(doc, 2.7, 3.9)).toBe(12);
  });

  it('works on an empty document', () => {
    const empty = Text.of(['']);
    expect(positionToOffset(empty, 5, 5)).toBe(0);
  });
});

describe('problemToRange', () => {
  it('covers from start to the exclusive end', () => {
    expect(problemToRange(doc, problem(2, 3, 2, 6))).toEqual({ from: 12, to: 15 });
    expect(problemToRange(doc, problem(1, 1, 4, 5))).toEqual({ from: 0, to: 22 });
  });

  it('widens an empty range to the next character', () => {
    expect(problemToRange(doc, problem(2, 3))).toEqual({ from: 12, to: 13 });
  });

  it('widens an empty range at the end of a line to the character before', () => {
    expect(problemToRange(doc, problem(2, 7))).toEqual({ from: 15, to: 16 });
    expect(problemToRange(doc, problem(4, 99, 7, 99))).toEqual({ from: doc.length - 1, to: doc.length });
  });

  it('leaves an empty range on an empty line empty', () => {
    expect(problemToRange(doc, problem(3, 1))).toEqual({ from: 17, to: 17 });
    expect(problemToRange(Text.of(['']), problem(1, 1))).toEqual({ from: 0, to: 0 });
  });

  it('orders a reversed range', () => {
    expect(problemToRange(doc, problem(2, 6, 2, 3))).toEqual({ from: 12, to: 15 });
    expect(problemToRange(doc, problem(4, 1, 1, 1))).toEqual({ from: 0, to: 18 });
  });

  it('clamps an end past the document to the last line', () => {
    // end line 40 becomes line 4, column 1 (offset 18), before the start: put in order.
    expect(problemToRange(doc, problem(4, 5, 40, 1))).toEqual({ from: 18, to: 22 });
    expect(problemToRange(doc, problem(2, 1, 40, 99))).toEqual({ from: 10, to: doc.length });
  });

  it('keeps every range inside the document', () => {
    for (const [l, c, el, ec] of [
      [0, 0, 0, 0],
      [100, 100, 200, 200],
      [4, 17, 4, 17],
      [1, 1, 1, 1],
    ] as const) {
      const { from, to } = problemToRange(doc, problem(l, c, el, ec));
      expect(from).toBeGreaterThanOrEqual(0);
      expect(to).toBeLessThanOrEqual(doc.length);
      expect(from).toBeLessThanOrEqual(to);
    }
  });
});

describe('problemsToDiagnostics', () => {
  it('keeps severity and message', () => {
    const warning: Problem = {
      severity: 'warning',
      message: 'no image',
      line: 2,
      column: 3,
      endLine: 2,
      endColumn: 6,
    };
    expect(problemsToDiagnostics(doc, [warning])).toEqual([
      { from: 12, to: 15, severity: 'warning', message: 'no image' },
    ]);
  });
});
