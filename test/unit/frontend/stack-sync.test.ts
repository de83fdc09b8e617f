import { describe, expect, it } from 'vitest';
import { isDirty, onDiskChange, resolveConflict } from '../../../frontend/src/lib/stack-sync.js';

const v = (yaml: string, etag: string, env: string | null = null) => ({ yaml, env, etag });

describe('isDirty', () => {
  it('compares the texts with the version the editor is based on', () => {
    expect(isDirty(v('a', 'e1'), 'a', '')).toBe(false);
    expect(isDirty(v('a', 'e1'), 'b', '')).toBe(true);
    expect(isDirty(v('a', 'e1', 'X=1'), 'a', 'X=1')).toBe(false);
    expect(isDirty(v('a', 'e1', 'X=1'), 'a', 'X=2')).toBe(true);
    expect(isDirty(null, 'a', '')).toBe(false);
  });
});

describe('onDiskChange', () => {
  it('ignores our own save (same etag), reloads when clean, notifies when dirty', () => {
    expect(onDiskChange(v('a', 'e1'), false, v('a', 'e1'))).toBe('ignore');
    expect(onDiskChange(v('a', 'e1'), true, v('a', 'e1'))).toBe('ignore');
    expect(onDiskChange(v('a', 'e1'), false, v('b', 'e2'))).toBe('reload');
    expect(onDiskChange(v('a', 'e1'), true, v('b', 'e2'))).toBe('notify');
    expect(onDiskChange(null, false, v('b', 'e2'))).toBe('ignore');
  });
});

describe('resolveConflict', () => {
  const theirs = v('theirs', 'e9', 'T=1');
  it('"take theirs" adopts the disk version and does not save', () => {
    expect(resolveConflict('theirs', { yaml: 'mine', env: 'M=1' }, theirs)).toEqual({
      base: theirs,
      yaml: 'theirs',
      env: 'T=1',
      saveAgain: false,
    });
  });
  it('"keep mine" saves mine against the disk version\'s etag', () => {
    expect(resolveConflict('mine', { yaml: 'mine', env: 'M=1' }, theirs)).toEqual({
      base: theirs,
      yaml: 'mine',
      env: 'M=1',
      saveAgain: true,
    });
  });
});
