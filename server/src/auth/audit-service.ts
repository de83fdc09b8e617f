import type { AuditEntry, Settings } from '../../../common/users.js';
import type { Logger } from '../logger.js';
import type { AuditFilter, AuditLog, NewAuditEntry } from './audit-log.js';
import type { SettingsStore } from './settings-store.js';

const HOUR_MS = 3600 * 1000;

/** Records who did what, answers queries, and prunes by the retention setting on a timer. */
export class AuditService {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: AuditLog,
    private readonly settingsStore: SettingsStore,
    private readonly logger: Logger,
  ) {}

  /** Never throws: an audit write that fails is logged, the request it describes goes on. */
  record(entry: NewAuditEntry): void {
    try {
      this.log.append(entry);
    } catch (err) {
      this.logger.error({ err, operation: entry.operation }, 'could not write the audit log');
    }
  }

  query(filter: AuditFilter): AuditEntry[] {
    return this.log.query(filter);
  }

  settings(): Settings {
    return this.settingsStore.get();
  }

  updateSettings(settings: Settings): Settings {
    const saved = this.settingsStore.set(settings);
    this.prune();
    return saved;
  }

  prune(): number {
    try {
      const n = this.log.prune(this.settingsStore.get().auditRetentionDays);
      if (n > 0) this.logger.info({ removed: n }, 'audit entries past retention removed');
      return n;
    } catch (err) {
      this.logger.warn({ err }, 'could not prune the audit log');
      return 0;
    }
  }

  start(intervalMs = HOUR_MS): void {
    this.prune();
    this.timer = setInterval(() => this.prune(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
