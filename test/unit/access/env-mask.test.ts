import { describe, expect, it } from 'vitest';
import { MASK, maskEnv } from '../../../server/src/stacks/env-mask.js';

describe('maskEnv', () => {
  it('keeps keys, comments and blank lines and hides every value', () => {
    const env = '# database\nDB_PASSWORD=hunter2\n\nexport TOKEN = "a b"\nEMPTY=\n  INDENTED=x';
    expect(maskEnv(env)).toBe(
      `# database\nDB_PASSWORD=${MASK}\n\nexport TOKEN =${MASK}\nEMPTY=${MASK}\n  INDENTED=${MASK}`,
    );
  });

  it('hides continuation lines of a multi-line value whole', () => {
    const env = 'KEY="-----BEGIN KEY-----\nsecretline\n-----END KEY-----"';
    const masked = maskEnv(env);
    expect(masked).not.toContain('secret');
    expect(masked).not.toContain('BEGIN');
    expect(masked.split('\n')).toEqual([`KEY=${MASK}`, MASK, MASK]);
  });
});
