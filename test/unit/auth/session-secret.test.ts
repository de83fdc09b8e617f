import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_SECRET_FILE, loadOrCreateSessionSecret } from '../../../server/src/auth/session-secret.js';
import { tempDir } from '../../helpers/factories.js';

let tmp: ReturnType<typeof tempDir>;
let file: string;
beforeEach(() => {
  tmp = tempDir('berth-secret-');
  file = path.join(tmp.dir, SESSION_SECRET_FILE);
});
afterEach(() => tmp.cleanup());

const modeOf = (f: string): number => statSync(f).mode & 0o777;

describe('loadOrCreateSessionSecret', () => {
  it('creates 32 random bytes as hex in an owner-only file, stable across calls', () => {
    const secret = loadOrCreateSessionSecret(tmp.dir);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(modeOf(file)).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(secret);
    expect(loadOrCreateSessionSecret(tmp.dir)).toBe(secret);
  });

  it('gives each data directory its own secret', () => {
    const other = tempDir('berth-secret-');
    try {
      expect(loadOrCreateSessionSecret(other.dir)).not.toBe(loadOrCreateSessionSecret(tmp.dir));
    } finally {
      other.cleanup();
    }
  });

  it('keeps an existing secret and narrows a loose mode to 0600', () => {
    const mine = 'x'.repeat(48);
    writeFileSync(file, `${mine}\n`);
    chmodSync(file, 0o644);
    expect(loadOrCreateSessionSecret(tmp.dir)).toBe(mine);
    expect(modeOf(file)).toBe(0o600);
  });

  it('replaces an empty or truncated file', () => {
    writeFileSync(file, '', { mode: 0o600 });
    const secret = loadOrCreateSessionSecret(tmp.dir);
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(modeOf(file)).toBe(0o600);
    expect(loadOrCreateSessionSecret(tmp.dir)).toBe(secret);
  });
});
