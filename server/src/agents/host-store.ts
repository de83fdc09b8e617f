import type { Database } from '../auth/database.js';

export interface HostRow {
  id: string;
  name: string;
  publicKey: string | null;
  tokenHash: string | null;
  tokenExpires: number | null;
  createdAt: string;
  lastSeen: string | null;
  version: string | null;
  address: string | null;
}

interface Row {
  id: string;
  name: string;
  public_key: string | null;
  token_hash: string | null;
  token_expires: number | null;
  created_at: string;
  last_seen: string | null;
  version: string | null;
  address: string | null;
}

const toHost = (r: Row): HostRow => ({
  id: r.id,
  name: r.name,
  publicKey: r.public_key,
  tokenHash: r.token_hash,
  tokenExpires: r.token_expires,
  createdAt: r.created_at,
  lastSeen: r.last_seen,
  version: r.version,
  address: r.address,
});

/** The hub's hosts in SQLite: public keys and token hashes only, never a secret of an agent. */
export class HostStore {
  constructor(private readonly db: Database) {}

  list(): HostRow[] {
    return this.db.prepare<[], Row>('SELECT * FROM hosts ORDER BY name COLLATE NOCASE').all().map(toHost);
  }

  get(id: string): HostRow | null {
    const r = this.db.prepare<[string], Row>('SELECT * FROM hosts WHERE id = ?').get(id);
    return r ? toHost(r) : null;
  }

  byTokenHash(hash: string): HostRow | null {
    const r = this.db.prepare<[string], Row>('SELECT * FROM hosts WHERE token_hash = ?').get(hash);
    return r ? toHost(r) : null;
  }

  nameTaken(name: string): boolean {
    return (
      this.db.prepare<[string], { n: number }>('SELECT 1 AS n FROM hosts WHERE name = ?').get(name) !==
      undefined
    );
  }

  insert(h: { id: string; name: string; tokenHash: string; tokenExpires: number; createdAt: string }): void {
    this.db
      .prepare('INSERT INTO hosts (id, name, token_hash, token_expires, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(h.id, h.name, h.tokenHash, h.tokenExpires, h.createdAt);
  }

  /**
   * Uses up an enrolment token and stores the agent's public key in one statement: of two agents
   * racing with the same token, exactly one wins. False when the token is unknown, used or expired.
   */
  enroll(id: string, tokenHash: string, publicKey: string, now: number): boolean {
    return (
      this.db
        .prepare(
          `UPDATE hosts SET public_key = ?, token_hash = NULL, token_expires = NULL
           WHERE id = ? AND token_hash = ? AND public_key IS NULL AND token_expires > ?`,
        )
        .run(publicKey, id, tokenHash, now).changes === 1
    );
  }

  seen(id: string, at: string, version: string | null, address: string | null): void {
    this.db
      .prepare(
        'UPDATE hosts SET last_seen = ?, version = COALESCE(?, version), address = COALESCE(?, address) WHERE id = ?',
      )
      .run(at, version, address, id);
  }

  remove(id: string): boolean {
    return this.db.prepare('DELETE FROM hosts WHERE id = ?').run(id).changes === 1;
  }
}
