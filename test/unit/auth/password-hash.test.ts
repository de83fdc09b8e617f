import { randomBytes, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DUMMY_HASH,
  hashPassword,
  needsRehash,
  verifyPassword,
} from '../../../server/src/auth/password-hash.js';

describe('password hashing', () => {
  it('round-trips and rejects a wrong password', async () => {
    const encoded = await hashPassword('correct horse battery');
    expect(encoded).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{86}==$/);
    expect(await verifyPassword('correct horse battery', encoded)).toBe(true);
    expect(await verifyPassword('correct horse batterY', encoded)).toBe(false);
    expect(await verifyPassword('', encoded)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword('same'), hashPassword('same')]);
    expect(a).not.toBe(b);
  });

  it('treats composed and decomposed accents as the same password', async () => {
    const encoded = await hashPassword('caf\u00e9-password');
    expect(await verifyPassword('cafe\u0301-password', encoded)).toBe(true);
  });

  it('answers false for malformed encodings instead of throwing', async () => {
    const good = await hashPassword('pw');
    const [, , , , salt, hash] = good.split('$');
    const malformed = [
      '',
      'scrypt',
      'not-a-hash',
      good.replace(/^scrypt/, 'bcrypt'),
      `scrypt$32768$8$1$${salt}`,
      `scrypt$32768$8$1$${salt}$${hash}$extra`,
      `scrypt$1000$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$1$8$1$${salt}$${hash}`,
      `scrypt$${2 ** 30}$8$1$${salt}$${hash}`, // would allocate a gigabyte
      `scrypt$32768$0$1$${salt}$${hash}`,
      `scrypt$32768$8$1000$${salt}$${hash}`,
      `scrypt$-32768$8$1$${salt}$${hash}`,
      `scrypt$32768.0$8$1$${salt}$${hash}`,
      `scrypt$32768$8$1$$${hash}`,
      `scrypt$32768$8$1$${salt}$`,
      `scrypt$32768$8$1$${salt}$not*base64!`,
      `scrypt$32768$8$1$${salt}$QUJD`, // 3-byte key
    ];
    for (const encoded of malformed) {
      expect(await verifyPassword('pw', encoded), encoded).toBe(false);
      expect(needsRehash(encoded)).toBe(true);
    }
  });

  it('verifies hashes made with other parameters and flags them for re-hashing', async () => {
    const salt = randomBytes(16);
    const key = scryptSync('older', salt, 32, { N: 1024, r: 8, p: 1 });
    const encoded = `scrypt$1024$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    expect(await verifyPassword('older', encoded)).toBe(true);
    expect(needsRehash(encoded)).toBe(true);
    expect(needsRehash(await hashPassword('current'))).toBe(false);
  });

  it('has a dummy hash that is well-formed and matches nothing obvious', async () => {
    expect(needsRehash(DUMMY_HASH)).toBe(false);
    for (const pw of ['', 'password', 'admin', 'dummy'])
      expect(await verifyPassword(pw, DUMMY_HASH)).toBe(false);
  });
});
