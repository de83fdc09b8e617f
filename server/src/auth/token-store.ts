import type { Role } from '../../../common/permissions.js';
import type { Database } from './database.js';

export interface TokenRecord {
  id: string;
  username: string;
  name: string;
  role: Role;
  prefix: string;
  /** sha256 of the whole token, hex. */
  hash: string;
  stacks: string[] | null;
  expiresAt: string | null;
  createdAt: string;
  lastUsedAt: string | null;
  lastUsedAddress: string | null;
  revokedAt: string | null;
}

interface TokenRow {
  id: string;
  username: string;
  name: string;
  role: string;
  prefix: string;
  hash: string;
  stacks: string | null;
  expires_at: string | null;
  created_at: string;
  last_used_at: string | null;
  last_used_address: string | null;
  revoked_at: string | null;
}

const ROLE_NAMES: readonly string[] = ['viewer', 'operator', 'editor', 'admin'];

const toRecord = (r: TokenRow): TokenRecord => ({
  id: r.id,
  username: r.username,
  name: r.name,
  role: (ROLE_NAMES.includes(r.role) ? r.role : 'viewer') as Role,
  prefix: r.prefix,
  hash: r.hash,
  stacks: r.stacks === null ? null : (JSON.parse(r.stacks) as string[]),
  expiresAt: r.expires_at,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  lastUsedAddress: r.last_used_address,
  revokedAt: r.revoked_at,
});

/** API tokens in the `tokens` table: only a hash and a visible prefix of each is ever stored. */
export class TokenStore {
  private readonly stmt;

  constructor(db: Database) {
    this.stmt = {
      insert: db.prepare<
        [string, string, string, string, string, string, string | null, string | null, string]
      >(
        `INSERT INTO tokens (id, username, name, role, prefix, hash, stacks, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      byPrefix: db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE prefix = ?'),
      byId: db.prepare<[string], TokenRow>('SELECT * FROM tokens WHERE id = ?'),
      ofUser: db.prepare<[string], TokenRow>(
        'SELECT * FROM tokens WHERE username = ? COLLATE NOCASE ORDER BY created_at DESC',
      ),
      all: db.prepare<[], TokenRow>('SELECT * FROM tokens ORDER BY created_at DESC'),
      used: db.prepare<[string, string, string]>(
        'UPDATE tokens SET last_used_at = ?, last_used_address = ? WHERE id = ?',
      ),
      revoke: db.prepare<[string, string]>(
        'UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
      ),
    };
  }

  add(t: Omit<TokenRecord, 'lastUsedAt' | 'lastUsedAddress' | 'revokedAt'>): void {
    this.stmt.insert.run(
      t.id,
      t.username,
      t.name,
      t.role,
      t.prefix,
      t.hash,
      t.stacks === null ? null : JSON.stringify(t.stacks),
      t.expiresAt,
      t.createdAt,
    );
  }

  byPrefix(prefix: string): TokenRecord | null {
    const row = this.stmt.byPrefix.get(prefix);
    return row ? toRecord(row) : null;
  }

  byId(id: string): TokenRecord | null {
    const row = this.stmt.byId.get(id);
    return row ? toRecord(row) : null;
  }

  /** A user's tokens, or everyone's when `username` is null; newest first. */
  list(username: string | null): TokenRecord[] {
    return (username === null ? this.stmt.all.all() : this.stmt.ofUser.all(username)).map(toRecord);
  }

  markUsed(id: string, at: string, address: string): void {
    this.stmt.used.run(at, address, id);
  }

  /** True when the token was live and is revoked now. */
  revoke(id: string, at: string): boolean {
    return this.stmt.revoke.run(at, id).changes > 0;
  }
}
