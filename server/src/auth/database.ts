import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

export type Database = BetterSqlite3.Database;

/** The file inside the data directory that holds users and sessions. */
export const DATABASE_FILE = 'berth.db';

/**
 * Schema steps, applied in order; `PRAGMA user_version` records how many ran. Never edit a step
 * that has shipped: append a new one.
 */
const migrations: readonly string[] = [
  `CREATE TABLE users (
     id            INTEGER PRIMARY KEY,
     username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
     password_hash TEXT NOT NULL,
     created_at    TEXT NOT NULL,
     updated_at    TEXT NOT NULL
   );
   CREATE TABLE sessions (
     sid        TEXT PRIMARY KEY,
     data       TEXT NOT NULL,
     expires_at INTEGER NOT NULL
   );
   CREATE INDEX sessions_expires_at ON sessions (expires_at);`,
  // Image updates (server/src/updates): last check per service, update history, settings.
  `CREATE TABLE update_checks (
     stack          TEXT NOT NULL,
     service        TEXT NOT NULL,
     image          TEXT NOT NULL,
     current_digest TEXT,
     latest_digest  TEXT,
     status         TEXT NOT NULL,
     checked_at     TEXT NOT NULL,
     reason         TEXT,
     newer_tags     TEXT,
     policy         TEXT NOT NULL,
     PRIMARY KEY (stack, service)
   );
   CREATE TABLE update_history (
     id              INTEGER PRIMARY KEY,
     stack           TEXT NOT NULL,
     started_at      TEXT NOT NULL,
     finished_at     TEXT,
     actor           TEXT NOT NULL,
     result          TEXT,
     reason          TEXT,
     changes         TEXT NOT NULL,
     job_id          TEXT NOT NULL,
     file_history_id TEXT,
     output          TEXT NOT NULL DEFAULT ''
   );
   CREATE INDEX update_history_stack ON update_history (stack, id);
   CREATE TABLE settings (
     key   TEXT PRIMARY KEY,
     value TEXT NOT NULL
   );`,
  // Roles, invites, API tokens and the audit log (settings: the table of step 2). The existing user stays admin.
  `ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'admin';
   ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE users ADD COLUMN stacks TEXT;
   CREATE TABLE invites (
     hash       TEXT PRIMARY KEY,
     username   TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
     expires_at INTEGER NOT NULL
   );
   CREATE TABLE tokens (
     id                TEXT PRIMARY KEY,
     username          TEXT NOT NULL REFERENCES users (username) ON DELETE CASCADE,
     name              TEXT NOT NULL,
     role              TEXT NOT NULL,
     prefix            TEXT NOT NULL UNIQUE,
     hash              TEXT NOT NULL,
     stacks            TEXT,
     expires_at        TEXT,
     created_at        TEXT NOT NULL,
     last_used_at      TEXT,
     last_used_address TEXT,
     revoked_at        TEXT
   );
   CREATE INDEX tokens_username ON tokens (username);
   CREATE TABLE audit (
     id        INTEGER PRIMARY KEY,
     at        TEXT NOT NULL,
     user      TEXT,
     via       TEXT NOT NULL,
     operation TEXT NOT NULL,
     target    TEXT,
     stack     TEXT,
     status    INTEGER NOT NULL,
     address   TEXT
   );
   CREATE INDEX audit_at ON audit (at);
   CREATE INDEX audit_user ON audit (user, at);
   CREATE INDEX audit_stack ON audit (stack, at);
   CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
   BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
   -- Rows leave only once older than the retention (the default 90 days when unset).
   CREATE TRIGGER audit_retention_only BEFORE DELETE ON audit
   WHEN julianday(OLD.at) > julianday('now') -
     COALESCE((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'auditRetentionDays'), 90)
   BEGIN SELECT RAISE(ABORT, 'audit entries leave only by retention'); END;`,
  // Hosts with agents (issue 19): only the agent's public key and the sha256 of its one-time
  // enrolment token are kept. Audit entries name the host they acted on.
  `CREATE TABLE hosts (
     id            TEXT PRIMARY KEY,
     name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
     public_key    TEXT,
     token_hash    TEXT UNIQUE,
     token_expires INTEGER,
     created_at    TEXT NOT NULL,
     last_seen     TEXT,
     version       TEXT,
     address       TEXT
   );
   ALTER TABLE audit ADD COLUMN host TEXT NOT NULL DEFAULT 'local';`,
];

export const SCHEMA_VERSION = migrations.length;

/** Opens (creating when missing) `<dataDir>/berth.db` and brings its schema up to date. */
export function openDatabase(dataDir: string): Database {
  const file = path.join(dataDir, DATABASE_FILE);
  // It holds password hashes and session ids: create it owner-only. SQLite gives the -wal and
  // -shm files the same mode as the database file.
  closeSync(openSync(file, 'a', 0o600));
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    return prepare(db);
  } catch (err) {
    db.close();
    throw err;
  }
}

/** A private in-memory database with the same schema, for tests. */
export function openMemoryDatabase(): Database {
  return prepare(new BetterSqlite3(':memory:'));
}

function prepare(db: Database): Database {
  // Another process (or a backup tool) holding a lock makes writers wait instead of failing at once.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/** Applies the missing migrations; running it again is a no-op. */
export function migrate(db: Database): void {
  // IMMEDIATE takes the write lock first, so two processes starting together cannot both migrate.
  db.transaction(() => {
    const current = Number(db.pragma('user_version', { simple: true }));
    if (current > SCHEMA_VERSION) {
      throw new Error(
        `the database schema is version ${current}, newer than this Berth understands (${SCHEMA_VERSION}); ` +
          'upgrade Berth or restore an older backup',
      );
    }
    for (let v = current; v < SCHEMA_VERSION; v++) {
      db.exec(migrations[v] ?? '');
    }
    if (current !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
