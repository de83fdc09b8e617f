import { statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DATABASE_FILE,
  SCHEMA_VERSION,
  migrate,
  openDatabase,
  type Database,
} from '../../../server/src/auth/database.js';
import { UserStore } from '../../../server/src/auth/user-store.js';
import { AppError } from '../../../server/src/errors.js';
import { tempDir } from '../../helpers/factories.js';

let tmp: ReturnType<typeof tempDir>;
let db: Database;

beforeEach(() => {
  tmp = tempDir('berth-auth-');
  db = openDatabase(tmp.dir);
});
afterEach(() => {
  if (db.open) db.close();
  tmp.cleanup();
});

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('openDatabase', () => {
  it('creates an owner-only file in WAL mode at the current schema version', () => {
    const file = path.join(tmp.dir, DATABASE_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(Number(db.pragma('busy_timeout', { simple: true }))).toBeGreaterThan(0);
  });

  it('keeps data across reopening and migrating again is a no-op', () => {
    new UserStore(db).create('alice', 'h1');
    migrate(db);
    db.close();
    db = openDatabase(tmp.dir);
    expect(new UserStore(db).find('alice')?.passwordHash).toBe('h1');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('refuses a database from a newer Berth', () => {
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => openDatabase(tmp.dir)).toThrow(/newer than this Berth/);
  });
});

describe('UserStore', () => {
  it('creates, counts and finds users, ignoring case in names', () => {
    const users = new UserStore(db, () => new Date('2026-01-02T03:04:05.000Z'));
    expect(users.count()).toBe(0);
    expect(users.find('alice')).toBeNull();
    const alice = users.create('Alice', 'hash-a');
    expect(alice).toMatchObject({
      username: 'Alice',
      passwordHash: 'hash-a',
      createdAt: '2026-01-02T03:04:05.000Z',
      updatedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(users.find('alice')).toEqual(alice);
    expect(users.find('ALICE')?.username).toBe('Alice');
    expect(users.count()).toBe(1);
  });

  it('answers CONFLICT for a name that exists in any case', () => {
    const users = new UserStore(db);
    users.create('bob', 'h');
    expect(caught(() => users.create('bob', 'h2')).code).toBe('CONFLICT');
    expect(caught(() => users.create('BOB', 'h2')).code).toBe('CONFLICT');
    expect(users.count()).toBe(1);
    expect(users.find('bob')?.passwordHash).toBe('h');
  });

  it('createFirst only succeeds while there is no user', () => {
    const users = new UserStore(db);
    expect(users.createFirst('first', 'h')?.username).toBe('first');
    expect(users.createFirst('second', 'h')).toBeNull();
    expect(users.count()).toBe(1);
  });

  it('sets a password hash and bumps updated_at; an unknown user is NOT_FOUND', () => {
    let now = new Date('2026-01-01T00:00:00.000Z');
    const users = new UserStore(db, () => now);
    users.create('carol', 'old');
    now = new Date('2026-02-01T00:00:00.000Z');
    users.setPasswordHash('CAROL', 'new');
    expect(users.find('carol')).toMatchObject({
      passwordHash: 'new',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-02-01T00:00:00.000Z',
    });
    expect(caught(() => users.setPasswordHash('nobody', 'x')).code).toBe('NOT_FOUND');
  });
});
