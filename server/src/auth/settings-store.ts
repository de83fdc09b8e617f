import type { Settings } from '../../../common/users.js';
import type { Database } from './database.js';

export const DEFAULT_SETTINGS: Settings = { auditRetentionDays: 90 };

/** Berth's own settings (key/value rows); the audit retention trigger reads the same row. */
export class SettingsStore {
  private readonly stmt;

  constructor(db: Database) {
    this.stmt = {
      get: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      set: db.prepare<[string, string]>(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  get(): Settings {
    const days = Number(this.stmt.get.get('auditRetentionDays')?.value);
    return {
      auditRetentionDays: Number.isInteger(days) && days > 0 ? days : DEFAULT_SETTINGS.auditRetentionDays,
    };
  }

  set(settings: Settings): Settings {
    this.stmt.set.run('auditRetentionDays', String(settings.auditRetentionDays));
    return this.get();
  }
}
