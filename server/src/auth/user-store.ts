import BetterSqlite3 from 'better-sqlite3';
import type { Role } from '../../../common/permissions.js';
import { AppError } from '../errors.js';
import type { Database } from './database.js';

export interface UserRecord {
  id: number;
  /** As it was created; lookups ignore case. */
  username: string;
  passwordHash: string;
  createdAt: string;
  updatedAt: string;
  role: Role;
  disabled: boolean;
  /** Stack names or globs this user is limited to; null: every stack. */
  stacks: string[] | null;
}

interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
  role: string;
  disabled: number;
  stacks: string | null;
}

/** The hash of a user who has no password yet (an open invite): no password verifies against it. */
export const NO_PASSWORD = '!';

const ROLE_NAMES: readonly string[] = ['viewer', 'operator', 'editor', 'admin'];

const toRecord = (row: UserRow): UserRecord => ({
  id: row.id,
  username: row.username,
  passwordHash: row.password_hash,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  // An unknown role in the row grants the least, never the most.
  role: (ROLE_NAMES.includes(row.role) ? row.role : 'viewer') as Role,
  disabled: row.disabled !== 0,
  stacks: row.stacks === null ? null : (JSON.parse(row.stacks) as string[]),
});

export interface NewUser {
  username: string;
  passwordHash: string;
  role: Role;
  stacks: string[] | null;
}

export interface UserChanges {
  role?: Role;
  disabled?: boolean;
  stacks?: string[] | null;
}

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
  private readonly listStmt;
  private readonly insertFullStmt;
  private readonly updateStmt;
  private readonly deleteStmt;
  private readonly enabledAdminsStmt;

  constructor(
    private readonly db: Database,
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
    this.listStmt = db.prepare<[], UserRow>('SELECT * FROM users ORDER BY username COLLATE NOCASE');
    this.insertFullStmt = db.prepare<[string, string, string, string | null, string, string], UserRow>(
      `INSERT INTO users (username, password_hash, role, stacks, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING *`,
    );
    this.updateStmt = db.prepare<[string, number, string | null, string, string], UserRow>(
      'UPDATE users SET role = ?, disabled = ?, stacks = ?, updated_at = ? WHERE username = ? RETURNING *',
    );
    this.deleteStmt = db.prepare<[string]>('DELETE FROM users WHERE username = ?');
    this.enabledAdminsStmt = db.prepare<[], { n: number }>(
      "SELECT count(*) AS n FROM users WHERE role = 'admin' AND disabled = 0",
    );
  }

  list(): UserRecord[] {
    return this.listStmt.all().map(toRecord);
  }

  /** Adds a user with a role and scope; a name that exists (in any case) is a CONFLICT. */
  add(user: NewUser): UserRecord {
    const at = this.now().toISOString();
    const stacks = user.stacks === null ? null : JSON.stringify(user.stacks);
    try {
      const row = this.insertFullStmt.get(user.username, user.passwordHash, user.role, stacks, at, at);
      if (!row) throw new Error('INSERT … RETURNING gave no row');
      return toRecord(row);
    } catch (err) {
      if (isUniqueViolation(err))
        throw new AppError('CONFLICT', `the user "${user.username}" exists already`);
      throw err;
    }
  }

  /**
   * Changes role, disabled and scope in one transaction that refuses to leave Berth without an
   * enabled admin (checked after the change, so two concurrent demotions cannot both pass).
   */
  update(username: string, changes: UserChanges): UserRecord {
    return this.db
      .transaction(() => {
        const before = this.find(username);
        if (!before) throw new AppError('NOT_FOUND', `there is no user "${username}"`);
        const role = changes.role ?? before.role;
        const disabled = changes.disabled ?? before.disabled;
        const stacks = changes.stacks === undefined ? before.stacks : changes.stacks;
        const row = this.updateStmt.get(
          role,
          disabled ? 1 : 0,
          stacks === null ? null : JSON.stringify(stacks),
          this.now().toISOString(),
          before.username,
        );
        if (!row) throw new Error('UPDATE … RETURNING gave no row');
        this.mustKeepAnAdmin();
        return toRecord(row);
      })
      .immediate();
  }

  /** Deletes a user (their tokens and invites go with them); never the last enabled admin. */
  delete(username: string): void {
    this.db
      .transaction(() => {
        if (this.deleteStmt.run(username).changes === 0) {
          throw new AppError('NOT_FOUND', `there is no user "${username}"`);
        }
        this.mustKeepAnAdmin();
      })
      .immediate();
  }

  private mustKeepAnAdmin(): void {
    if ((this.enabledAdminsStmt.get()?.n ?? 0) === 0) {
      throw new AppError('CONFLICT', 'Berth needs at least one enabled admin');
    }
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
