import { z } from 'zod';
import {
  ImageCheck,
  NotificationSettings,
  ServiceChange,
  type UpdateHistoryEntry,
  type UpdatePolicy,
  type UpdateResult,
  type UpdateStatus,
} from '../../../common/updates.js';
import type { Database } from '../auth/database.js';

const OUTPUT_KEEP = 64 * 1024;
const HISTORY_KEEP_PER_STACK = 100;

interface CheckRow {
  stack: string;
  service: string;
  image: string;
  current_digest: string | null;
  latest_digest: string | null;
  status: string;
  checked_at: string;
  reason: string | null;
  newer_tags: string | null;
  policy: string;
}

interface HistoryRow {
  id: number;
  stack: string;
  started_at: string;
  finished_at: string | null;
  actor: string;
  result: string | null;
  reason: string | null;
  changes: string;
  job_id: string;
  file_history_id: string | null;
  output: string;
}

const Changes = z.array(ServiceChange);

export const DEFAULT_NOTIFICATIONS: NotificationSettings = {
  urls: [],
  onUpdateAvailable: true,
  onUpdateFailed: true,
};

/** Check results, update history and notification settings in Berth's SQLite database. */
export class UpdateStore {
  constructor(private readonly db: Database) {}

  /** Replaces every check row of a stack with the new results. */
  replaceChecks(stack: string, checks: readonly ImageCheck[]): void {
    const del = this.db.prepare('DELETE FROM update_checks WHERE stack = ?');
    const ins = this.db.prepare(
      `INSERT INTO update_checks (stack, service, image, current_digest, latest_digest, status, checked_at, reason, newer_tags, policy)
       VALUES (@stack, @service, @image, @currentDigest, @latestDigest, @status, @checkedAt, @reason, @newerTags, @policy)`,
    );
    this.db.transaction(() => {
      del.run(stack);
      for (const c of checks) {
        ins.run({
          ...c,
          reason: c.reason ?? null,
          newerTags: c.newerTags ? JSON.stringify(c.newerTags) : null,
        });
      }
    })();
  }

  removeStack(stack: string): void {
    this.db.prepare('DELETE FROM update_checks WHERE stack = ?').run(stack);
  }

  checks(stack?: string): ImageCheck[] {
    const rows = (
      stack
        ? this.db.prepare('SELECT * FROM update_checks WHERE stack = ? ORDER BY service').all(stack)
        : this.db.prepare('SELECT * FROM update_checks ORDER BY stack, service').all()
    ) as CheckRow[];
    return rows.map((r) =>
      ImageCheck.parse({
        stack: r.stack,
        service: r.service,
        image: r.image,
        currentDigest: r.current_digest,
        latestDigest: r.latest_digest,
        status: r.status as UpdateStatus,
        checkedAt: r.checked_at,
        ...(r.reason ? { reason: r.reason } : {}),
        ...(r.newer_tags ? { newerTags: JSON.parse(r.newer_tags) as string[] } : {}),
        policy: r.policy as UpdatePolicy,
      }),
    );
  }

  /** Services of each stack with an update (a new digest or newer tags). */
  counts(): Map<string, number> {
    const rows = this.db
      .prepare(
        `SELECT stack, COUNT(*) AS n FROM update_checks
         WHERE status = 'update-available' OR (newer_tags IS NOT NULL AND newer_tags != '[]')
         GROUP BY stack`,
      )
      .all() as { stack: string; n: number }[];
    return new Map(rows.map((r) => [r.stack, r.n]));
  }

  startHistory(entry: {
    stack: string;
    actor: string;
    jobId: string;
    changes: ServiceChange[];
    fileHistoryId: string | null;
  }): number {
    const r = this.db
      .prepare(
        `INSERT INTO update_history (stack, started_at, actor, changes, job_id, file_history_id)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        entry.stack,
        new Date().toISOString(),
        entry.actor,
        JSON.stringify(entry.changes),
        entry.jobId,
        entry.fileHistoryId,
      );
    return Number(r.lastInsertRowid);
  }

  /** The file history entry and the digests as they were, once recorded. */
  noteSnapshot(id: number, fileHistoryId: string, changes: ServiceChange[]): void {
    this.db
      .prepare('UPDATE update_history SET file_history_id = ?, changes = ? WHERE id = ?')
      .run(fileHistoryId, JSON.stringify(changes), id);
  }

  setHistoryOutput(id: number, output: string): void {
    this.db.prepare('UPDATE update_history SET output = ? WHERE id = ?').run(output.slice(-OUTPUT_KEEP), id);
  }

  finishHistory(
    id: number,
    done: { result: UpdateResult; reason: string | null; changes: ServiceChange[]; output: string },
  ): void {
    this.db
      .prepare(
        `UPDATE update_history SET finished_at = ?, result = ?, reason = ?, changes = ?, output = ? WHERE id = ?`,
      )
      .run(
        new Date().toISOString(),
        done.result,
        done.reason,
        JSON.stringify(done.changes),
        done.output.slice(-OUTPUT_KEEP),
        id,
      );
    const stack = (
      this.db.prepare('SELECT stack FROM update_history WHERE id = ?').get(id) as { stack: string }
    ).stack;
    this.db
      .prepare(
        `DELETE FROM update_history WHERE stack = ? AND id NOT IN
           (SELECT id FROM update_history WHERE stack = ? ORDER BY id DESC LIMIT ?)`,
      )
      .run(stack, stack, HISTORY_KEEP_PER_STACK);
  }

  /** Newest first. */
  history(stack: string): UpdateHistoryEntry[] {
    const rows = this.db
      .prepare('SELECT * FROM update_history WHERE stack = ? ORDER BY id DESC')
      .all(stack) as HistoryRow[];
    return rows.map((r) => ({
      id: r.id,
      stack: r.stack,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      actor: r.actor,
      result: (r.result as UpdateResult | null) ?? null,
      reason: r.reason,
      changes: Changes.parse(JSON.parse(r.changes)),
      jobId: r.job_id,
      fileHistoryId: r.file_history_id,
      output: r.output,
    }));
  }

  notificationSettings(): NotificationSettings {
    const row = this.db.prepare("SELECT value FROM settings WHERE key = 'notifications'").get() as
      { value: string } | undefined;
    if (!row) return DEFAULT_NOTIFICATIONS;
    const parsed = NotificationSettings.safeParse(JSON.parse(row.value));
    return parsed.success ? parsed.data : DEFAULT_NOTIFICATIONS;
  }

  saveNotificationSettings(settings: NotificationSettings): void {
    this.db
      .prepare(
        "INSERT INTO settings (key, value) VALUES ('notifications', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(JSON.stringify(settings));
  }
}
