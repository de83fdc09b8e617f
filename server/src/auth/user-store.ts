import BetterSqlite3 from 'better-sqlite3';
import { AppError } from '../errors.js';
import type { Database } from './database.js';

export interface UserRecord {
  id: number;
  /** As it was created; lookups ignore case. */
  username: string;
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
}

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
}

const toRecord = (row: UserRow): UserRecord => ({
  id: row.id,
  username: row.username,
  passwordHash: row.password_hash,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

function isUniqueViolation(err: unknown): boolean {
  return err instanceof BetterSqlite3.SqliteError && err.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Users in the `users` table. User names are unique ignoring case. */
export class UserStore {
  private readonly countStmt;
  private readonly findStmt;
  private readonly insertStmt;
  private readonly insertFirstStmt;
  private readonly updateHashStmt;

  constructor(
    db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.countStmt = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM users');
    this.findStmt = db.prepare<[string], UserRow>('SELECT * FROM users WHERE username = ?');
    this.insertStmt = db.prepare<[string, string, string, string], UserRow>(
      'INSERT INTO users (username, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING *',
    );
    // One statement, so "only while there is no user" holds even with concurrent requests.
    this.insertFirstStmt = db.prepare<[string, string, string, string], UserRow>(
      `INSERT INTO users (username, password_hash, created_at, updated_at)
       SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM users) RETURNING *`,
    );
    this.updateHashStmt = db.prepare<[string, string, string]>(
      'UPDATE users SET password_hash = ?, updated_at = ? WHERE username = ?',
    );
  }

  count(): number {
    return this.countStmt.get()?.n ?? 0;
  }

  find(username: string): UserRecord | null {
    const row = this.findStmt.get(username);
    return row ? toRecord(row) : null;
  }

  /** Adds a user; a name that exists (in any case) is a CONFLICT. */
  create(username: string, passwordHash: string): UserRecord {
    const at = this.now().toISOString();
    try {
      const row = this.insertStmt.get(username, passwordHash, at, at);
      if (!row) throw new Error('INSERT … RETURNING gave no row');
      return toRecord(row);
    } catch (err) {
      if (isUniqueViolation(err)) throw new AppError('CONFLICT', `the user "${username}" exists already`);
      throw err;
    }
  }

  /** Adds a user only when the table is empty; null when some user exists. */
  createFirst(username: string, passwordHash: string): UserRecord | null {
    const at = this.now().toISOString();
    const row = this.insertFirstStmt.get(username, passwordHash, at, at);
    return row ? toRecord(row) : null;
  }

  setPasswordHash(username: string, passwordHash: string): void {
    const result = this.updateHashStmt.run(passwordHash, this.now().toISOString(), username);
    if (result.changes === 0) throw new AppError('NOT_FOUND', `there is no user "${username}"`);
  }
}
