import type { Database } from './database.js';

/** One-time invite links: only the sha256 of each invite token is stored. */
export class InviteStore {
  private readonly stmt;

  constructor(db: Database) {
    this.stmt = {
      insert: db.prepare<[string, string, number]>(
        'INSERT INTO invites (hash, username, expires_at) VALUES (?, ?, ?)',
      ),
      take: db.prepare<[string, number], { username: string }>(
        'DELETE FROM invites WHERE hash = ? AND expires_at > ? RETURNING username',
      ),
      prune: db.prepare<[number]>('DELETE FROM invites WHERE expires_at <= ?'),
    };
  }

  add(hash: string, username: string, expiresAt: number): void {
    this.stmt.insert.run(hash, username, expiresAt);
  }

  /** Uses up an invite: its user, or null when there is none (or it expired). */
  take(hash: string, now: number): string | null {
    this.stmt.prune.run(now);
    return this.stmt.take.get(hash, now)?.username ?? null;
  }
}
