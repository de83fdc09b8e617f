import type { AuditEntry } from '../../../common/users.js';
import type { Database } from './database.js';

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at' | 'host'> & {
  stack?: string | null;
  at?: string;
  host?: string;
};

export interface AuditFilter {
  limit?: number;
  user?: string;
  stack?: string;
}

interface AuditRow {
  id: number;
  at: string;
  user: string | null;
  via: string;
  operation: string;
  target: string | null;
  host: string;
  status: number;
  address: string | null;
}

/**
 * The audit log: append-only in SQLite (a trigger refuses updates, another refuses deletes of
 * entries younger than the retention). Newest first when read.
 */
export class AuditLog {
  private readonly stmt;

  constructor(
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.stmt = {
      insert: db.prepare<
        [string, string | null, string, string, string | null, string | null, number, string | null, string]
      >(
        `INSERT INTO audit (at, user, via, operation, target, stack, status, address, host)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      prune: db.prepare<[string]>('DELETE FROM audit WHERE at < ?'),
    };
  }

  append(e: NewAuditEntry): void {
    this.stmt.insert.run(
      e.at ?? this.now().toISOString(),
      e.user,
      e.via,
      e.operation,
      e.target,
      e.stack ?? null,
      e.status,
      e.address,
      e.host ?? 'local',
    );
  }

  query(filter: AuditFilter = {}): AuditEntry[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.user) {
      where.push('user = ? COLLATE NOCASE');
      args.push(filter.user);
    }
    if (filter.stack) {
      where.push('stack = ?');
      args.push(filter.stack);
    }
    args.push(filter.limit ?? 500);
    return this.db
      .prepare<Array<string | number>, AuditRow>(
        `SELECT id, at, user, via, operation, target, host, status, address FROM audit
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
      )
      .all(...args);
  }

  /** Deletes entries older than `days`; returns how many. */
  prune(days: number): number {
    const cutoff = new Date(this.now().getTime() - days * 24 * 3600 * 1000).toISOString();
    return this.stmt.prune.run(cutoff).changes;
  }
}

const CSV_COLUMNS = ['at', 'user', 'via', 'operation', 'target', 'host', 'status', 'address'] as const;

function csvCell(value: string | number | null): string {
  const s = value === null ? '' : String(value);
  // A leading = + - @ would be a formula in a spreadsheet: quote it with a leading apostrophe.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function auditCsv(entries: readonly AuditEntry[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of entries) lines.push(CSV_COLUMNS.map((c) => csvCell(e[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

export function auditNdjson(entries: readonly AuditEntry[]): string {
  return entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '');
}
