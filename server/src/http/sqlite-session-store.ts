import { Store, type SessionData } from 'express-session';
import type { Database } from '../auth/database.js';
import type { Logger } from '../logger.js';

const DAY_MS = 24 * 3600 * 1000;

export interface SqliteSessionStoreOptions {
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now?: () => number;
  /** How often expired rows are deleted; 0 turns the timer off. Default 15 minutes. */
  pruneIntervalMs?: number;
  /** Lifetime of a session whose cookie has no expiry. Default 7 days. */
  defaultTtlMs?: number;
  log?: Logger;
}

interface CookieLike {
  expires?: Date | string | null;
  maxAge?: number | null;
}

type ErrorCallback = (err?: unknown) => void;

export interface UserSessionRow {
  sid: string;
  createdAt: string | null;
  address: string | null;
  expiresAt: string;
}

/**
 * express-session store on the `sessions` table. better-sqlite3 is synchronous, so each method
 * does its work at once and reports on the next tick: callers never see a callback run before the
 * method returns, and a failure reaches the callback instead of being thrown.
 */
export class SqliteSessionStore extends Store {
  private readonly now: () => number;
  private readonly defaultTtlMs: number;
  private readonly log: Logger | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly stmt;

  constructor(db: Database, options: SqliteSessionStoreOptions = {}) {
    super();
    this.now = options.now ?? Date.now;
    this.defaultTtlMs = options.defaultTtlMs ?? 7 * DAY_MS;
    this.log = options.log;
    this.stmt = {
      get: db.prepare<[string, number], { data: string }>(
        'SELECT data FROM sessions WHERE sid = ? AND expires_at > ?',
      ),
      set: db.prepare<[string, string, number]>(
        `INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)
         ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
      ),
      // Only the cookie changes: a concurrent request's changes to the rest of the data survive.
      touch: db.prepare<[number, string, string]>(
        "UPDATE sessions SET expires_at = ?, data = json_set(data, '$.cookie', json(?)) WHERE sid = ?",
      ),
      destroy: db.prepare<[string]>('DELETE FROM sessions WHERE sid = ?'),
      sidsOf: db.prepare<[], { sid: string }>('SELECT sid FROM sessions'),
      clear: db.prepare<[]>('DELETE FROM sessions'),
      length: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM sessions WHERE expires_at > ?'),
      prune: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?'),
      // CASE guards json_extract, which fails on a row that is not JSON.
      ofUser: db.prepare<[number, string], { sid: string; data: string; expires_at: number }>(
        `SELECT sid, data, expires_at FROM sessions WHERE expires_at > ? AND
           CASE WHEN json_valid(data) THEN json_extract(data, '$.user.username') END = ? COLLATE NOCASE
         ORDER BY expires_at DESC`,
      ),
      destroyUser: db.prepare<[string, string], { sid: string }>(
        `DELETE FROM sessions WHERE sid <> ? AND
           CASE WHEN json_valid(data) THEN json_extract(data, '$.user.username') END = ? COLLATE NOCASE
         RETURNING sid`,
      ),
    };
    const interval = options.pruneIntervalMs ?? 15 * 60_000;
    if (interval > 0) {
      this.timer = setInterval(() => this.pruneQuietly(), interval);
      // Pruning alone must not keep the process alive.
      this.timer.unref();
    }
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.run(() => {
      const row = this.stmt.get.get(sid, this.now());
      if (!row) return null;
      try {
        return JSON.parse(row.data) as SessionData;
      } catch {
        // A row that is not JSON cannot be used; treat it as logged out rather than fail every request.
        this.stmt.destroy.run(sid);
        return null;
      }
    }, callback);
  }

  override set(sid: string, session: SessionData, callback?: ErrorCallback): void {
    this.run(() => {
      this.stmt.set.run(sid, JSON.stringify(session), this.expiresAt(session));
    }, callback);
  }

  override touch(sid: string, session: SessionData, callback?: ErrorCallback): void {
    this.run(() => {
      this.stmt.touch.run(this.expiresAt(session), JSON.stringify(session.cookie), sid);
    }, callback);
  }

  override destroy(sid: string, callback?: ErrorCallback): void {
    this.run(() => {
      this.stmt.destroy.run(sid);
      this.ended([sid]);
    }, callback);
  }

  override clear(callback?: ErrorCallback): void {
    this.run(() => {
      const sids = this.stmt.sidsOf.all().map((r) => r.sid);
      this.stmt.clear.run();
      this.ended(sids);
    }, callback);
  }

  /** Listens for sessions that were ended (logout, password change, clear); not for expiry. */
  onEnded(listener: (sids: string[]) => void): () => void {
    this.on('ended', listener);
    return () => this.off('ended', listener);
  }

  private ended(sids: string[]): void {
    if (sids.length > 0) this.emit('ended', sids);
  }

  /** Sessions that have not expired. */
  override length(callback: (err: unknown, length?: number) => void): void {
    this.run(() => this.stmt.length.get(this.now())?.n ?? 0, callback);
  }

  /** Deletes expired rows; returns how many. */
  pruneExpired(): number {
    return this.stmt.prune.run(this.now()).changes;
  }

  /**
   * Ends every session of `username` except `exceptSid` (the one that asked), e.g. after a
   * password change. Returns how many were ended.
   */
  destroyUserSessions(username: string, exceptSid = ''): number {
    const sids = this.stmt.destroyUser.all(exceptSid, username).map((r) => r.sid);
    this.ended(sids);
    return sids.length;
  }

  /** The live sessions of `username`, with when and where each began when known. */
  sessionsOf(username: string): UserSessionRow[] {
    return this.stmt.ofUser.all(this.now(), username).map((r) => {
      let meta: { createdAt?: unknown; address?: unknown } = {};
      try {
        meta = ((JSON.parse(r.data) as { meta?: typeof meta }).meta ?? {}) as typeof meta;
      } catch {
        // The row is not JSON: list it without its details.
      }
      return {
        sid: r.sid,
        createdAt: typeof meta.createdAt === 'string' ? meta.createdAt : null,
        address: typeof meta.address === 'string' ? meta.address : null,
        expiresAt: new Date(r.expires_at).toISOString(),
      };
    });
  }

  /** Stops the prune timer; the database stays open (its owner closes it). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private expiresAt(session: SessionData): number {
    const cookie = session.cookie as CookieLike | undefined;
    const expires = cookie?.expires;
    if (expires) {
      const at = expires instanceof Date ? expires.getTime() : Date.parse(expires);
      if (Number.isFinite(at)) return at;
    }
    if (typeof cookie?.maxAge === 'number') return this.now() + cookie.maxAge;
    // A browser-session cookie has no expiry, but its row must not live forever.
    return this.now() + this.defaultTtlMs;
  }

  private pruneQuietly(): void {
    try {
      const n = this.pruneExpired();
      if (n > 0) this.log?.debug({ removed: n }, 'expired sessions pruned');
    } catch (err) {
      this.log?.warn({ err }, 'could not prune expired sessions');
    }
  }

  private run<T>(work: () => T, callback?: (err: unknown, value?: T) => void): void {
    let value: T;
    try {
      value = work();
    } catch (err) {
      if (callback) process.nextTick(callback, err);
      else this.log?.warn({ err }, 'session store operation failed');
      return;
    }
    if (callback) process.nextTick(callback, null, value);
  }
}
