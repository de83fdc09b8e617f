import { describe, expect, it } from 'vitest';
import {
  globMatch,
  intersectScopes,
  patternWithin,
  scopeAllows,
  scopeWithin,
} from '../../../server/src/auth/stack-scope.js';

describe('stack scopes', () => {
  it('matches whole names with * and ?', () => {
    expect(globMatch('web', 'web')).toBe(true);
    expect(globMatch('web', 'web2')).toBe(false);
    expect(globMatch('web*', 'web2')).toBe(true);
    expect(globMatch('web*', 'web')).toBe(true);
    expect(globMatch('*-prod', 'shop-prod')).toBe(true);
    expect(globMatch('*-prod', 'shop-prod-old')).toBe(false);
    expect(globMatch('a?c', 'abc')).toBe(true);
    expect(globMatch('a?c', 'ac')).toBe(false);
    expect(globMatch('*a*b*', 'xxaxxbxx')).toBe(true);
    expect(globMatch('*a*b*', 'xxbxxaxx')).toBe(false);
  });

  it('lets a null scope see everything and a list only its matches', () => {
    expect(scopeAllows(null, 'b')).toBe(true);
    expect(scopeAllows(undefined, 'b')).toBe(true);
    expect(scopeAllows(['a'], 'b')).toBe(false);
    expect(scopeAllows(['a', 'b*'], 'b1')).toBe(true);
    expect(scopeAllows([], 'a')).toBe(false);
  });

  it('knows when one pattern lies within another, never wider', () => {
    expect(patternWithin('a1', 'a*')).toBe(true);
    expect(patternWithin('a?b', 'a*')).toBe(true);
    expect(patternWithin('a*', 'a*')).toBe(true);
    expect(patternWithin('a*', 'ab*')).toBe(false);
    // A ? of the outer pattern takes one character, never a whole run.
    expect(patternWithin('a*', 'a?')).toBe(false);
    expect(patternWithin('a?', 'a?')).toBe(true);
    expect(patternWithin('*', 'a*')).toBe(false);
  });

  it("limits a token's scope by its owner's", () => {
    expect(intersectScopes(null, null)).toBeNull();
    expect(intersectScopes(['a'], null)).toEqual(['a']);
    expect(intersectScopes(null, ['a'])).toEqual(['a']);
    expect(intersectScopes(['a', 'b', 'c*'], ['a', 'c*'])).toEqual(['a', 'c*']);
    expect(intersectScopes(['b'], ['a'])).toEqual([]);
    expect(scopeWithin(['a1'], ['a*'])).toBe(true);
    expect(scopeWithin(null, ['a'])).toBe(false);
    expect(scopeWithin(['b'], ['a'])).toBe(false);
    expect(scopeWithin(null, null)).toBe(true);
  });
});
