import { randomUUID } from 'node:crypto';
import type {
  CheckJob,
  ImageCheck,
  NotificationSettings,
  NotificationTestReply,
  UpdateHistoryEntry,
} from '../../../common/updates.js';
import type { Job } from '../compose/job-store.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Notifier } from './notifier.js';
import type { SafeUpdater, UpdateOutcome } from './safe-updater.js';
import type { UpdateChecker } from './update-checker.js';
import { inWindow } from './update-policy.js';
import type { UpdateStore } from './update-store.js';

export interface CheckedStacks {
  /** Names of the managed stacks. */
  names(): string[];
  read(name: string): Promise<{ yaml: string }>;
}

export interface UpdateServiceOptions {
  /** Between scheduled checks; 0 turns the schedule off. */
  intervalMs: number;
  /** First scheduled check after start. */
  firstCheckMs?: number;
  /** Local-time window for `berth.update: auto`; null = right after any scheduled check. */
  autoWindow: { start: number; end: number } | null;
  now?: () => Date;
}

/**
 * Image updates as a whole: check runs (scheduled and on demand, one at a time), their stored
 * results and per-stack counts, safe updates, the auto-update window and notifications.
 */
export class UpdateService {
  private readonly jobs = new Map<string, CheckJob>();
  private readonly listeners = new Set<(stacks: string[]) => void>();
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private countCache: Map<string, number>;
  private stopped = false;

  constructor(
    private readonly deps: {
      checker: UpdateChecker;
      store: UpdateStore;
      updater: SafeUpdater;
      notifier: Notifier;
      stacks: CheckedStacks;
      log: Logger;
      /** How the update window starts an update; the stack service's action (validates the file first). */
      startUpdate?: (stack: string, actor: string) => Promise<Job>;
    },
    private readonly options: UpdateServiceOptions,
  ) {
    this.countCache = deps.store.counts();
  }

  /** Listeners get the stacks whose update counts may have changed. */
  onChange(listener: (stacks: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  countFor(stack: string): number {
    return this.countCache.get(stack) ?? 0;
  }

  checks(): ImageCheck[] {
    const names = new Set(this.deps.stacks.names());
    return this.deps.store.checks().filter((c) => names.has(c.stack));
  }

  checkJob(id: string): CheckJob {
    const job = this.jobs.get(id);
    if (!job) throw new AppError('NOT_FOUND', `no check job "${id}"`);
    return job;
  }

  /** Starts a check of one stack or all; resolves once it is queued. */
  startCheck(stack?: string): CheckJob {
    if (stack && !this.deps.stacks.names().includes(stack)) {
      throw new AppError('STACK_NOT_FOUND', `stack "${stack}" does not exist`);
    }
    const job: CheckJob = {
      id: randomUUID(),
      stack: stack ?? null,
      state: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      checked: 0,
      updates: 0,
      error: null,
    };
    this.jobs.set(job.id, job);
    for (const id of this.jobs.keys()) {
      if (this.jobs.size <= 50) break;
      if (this.jobs.get(id)?.state !== 'running') this.jobs.delete(id);
    }
    void this.runCheck(job).catch(() => undefined);
    return job;
  }

  /** Runs a check and waits for it (scheduler, after an update). */
  async check(stack?: string): Promise<CheckJob> {
    const job = this.startCheck(stack);
    await this.runCheck(job, true);
    return job;
  }

  private runCheck(job: CheckJob, joinOnly = false): Promise<void> {
    if (joinOnly) return this.pendingOf(job);
    const run = this.chain.then(async () => {
      const names = job.stack ? [job.stack] : this.deps.stacks.names();
      const found: ImageCheck[] = [];
      try {
        for (const name of names) {
          if (this.stopped) break;
          const results = await this.checkStack(name);
          job.checked += results.filter((r) => r.status !== 'not-checked').length;
          job.updates += results.filter((r) => r.status === 'update-available').length;
          found.push(...results.filter((r) => r.fresh).map((r) => r.check));
        }
        job.state = 'succeeded';
      } catch (err) {
        this.deps.log.error({ err }, 'update check failed');
        job.state = 'failed';
        job.error = err instanceof AppError ? err.message : 'internal error';
      }
      job.finishedAt = new Date().toISOString();
      if (found.length > 0) await this.notifyUpdates(found);
    });
    this.pending.set(job.id, run);
    this.chain = run.catch(() => undefined).finally(() => this.pending.delete(job.id));
    return run;
  }

  private readonly pending = new Map<string, Promise<void>>();
  private pendingOf(job: CheckJob): Promise<void> {
    return this.pending.get(job.id) ?? Promise.resolve();
  }

  private async checkStack(
    name: string,
  ): Promise<{ status: ImageCheck['status']; fresh: boolean; check: ImageCheck }[]> {
    let yaml: string;
    try {
      ({ yaml } = await this.deps.stacks.read(name));
    } catch (err) {
      if (err instanceof AppError && err.code === 'STACK_NOT_FOUND') {
        this.deps.store.removeStack(name);
        return [];
      }
      throw err;
    }
    const previous = new Map(this.deps.store.checks(name).map((c) => [c.service, c]));
    const results = await this.deps.checker.checkStack(name, yaml);
    this.deps.store.replaceChecks(name, results);
    const before = this.countCache.get(name) ?? 0;
    this.countCache = this.deps.store.counts();
    if (before !== this.countFor(name)) this.emit([name]);
    return results.map((check) => {
      const prev = previous.get(check.service);
      const fresh =
        check.status === 'update-available' &&
        (prev?.status !== 'update-available' || prev.latestDigest !== check.latestDigest);
      return { status: check.status, fresh, check };
    });
  }

  private emit(stacks: string[]): void {
    for (const l of this.listeners) {
      try {
        l(stacks);
      } catch (err) {
        this.deps.log.error({ err }, 'update listener failed');
      }
    }
  }

  update(stack: string, actor: string): Promise<Job> {
    return this.deps.updater.start(stack, actor);
  }

  /** The updater calls this when an update job ends. */
  async afterUpdate(outcome: UpdateOutcome): Promise<void> {
    await this.check(outcome.stack).catch(() => undefined);
    if (outcome.result !== 'failed' && outcome.result !== 'rolled-back') return;
    const settings = this.deps.store.notificationSettings();
    if (!settings.onUpdateFailed || settings.urls.length === 0) return;
    const rolled = outcome.result === 'rolled-back';
    await this.deps.notifier.send(settings.urls, {
      event: rolled ? 'update-rolled-back' : 'update-failed',
      title: `Berth: update of ${outcome.stack} ${rolled ? 'rolled back' : 'failed'}`,
      message: outcome.reason ?? (rolled ? 'rolled back' : 'failed'),
      stack: outcome.stack,
      data: { changes: outcome.changes },
    });
  }

  private async notifyUpdates(found: ImageCheck[]): Promise<void> {
    const settings = this.deps.store.notificationSettings();
    if (!settings.onUpdateAvailable || settings.urls.length === 0) return;
    const stacks = [...new Set(found.map((f) => f.stack))];
    await this.deps.notifier.send(settings.urls, {
      event: 'update-available',
      title: `Berth: ${found.length} image update${found.length === 1 ? '' : 's'} in ${stacks.length} stack${stacks.length === 1 ? '' : 's'}`,
      message: found.map((f) => `${f.stack}/${f.service}: ${f.image}`).join('\n'),
      data: { updates: found },
    });
  }

  history(stack: string): UpdateHistoryEntry[] {
    if (!this.deps.stacks.names().includes(stack)) {
      throw new AppError('STACK_NOT_FOUND', `stack "${stack}" does not exist`);
    }
    return this.deps.store.history(stack);
  }

  notificationSettings(): NotificationSettings {
    return this.deps.store.notificationSettings();
  }

  saveNotificationSettings(settings: NotificationSettings): NotificationSettings {
    this.deps.store.saveNotificationSettings(settings);
    return settings;
  }

  testNotifications(urls?: string[]): Promise<NotificationTestReply> {
    const targets = urls ?? this.deps.store.notificationSettings().urls;
    if (targets.length === 0) throw new AppError('BAD_REQUEST', 'no notification URL to test');
    return this.deps.notifier.send(targets, {
      event: 'test',
      title: 'Berth: test notification',
      message: 'Notifications from Berth reach this receiver.',
    });
  }

  /** Scheduled checks, then auto-updates inside the window. */
  startSchedule(): void {
    if (this.options.intervalMs <= 0) return;
    const tick = async () => {
      await this.check().catch(() => undefined);
      await this.autoUpdate();
      if (!this.stopped) this.timer = setTimeout(() => void tick(), this.options.intervalMs).unref();
    };
    this.timer = setTimeout(() => void tick(), this.options.firstCheckMs ?? 60_000).unref();
  }

  /** Stacks whose every available update is on `berth.update: auto` are updated, inside the window. */
  async autoUpdate(): Promise<string[]> {
    const now = this.options.now?.() ?? new Date();
    if (this.options.autoWindow && !inWindow(this.options.autoWindow, now)) return [];
    const byStack = new Map<string, ImageCheck[]>();
    for (const c of this.checks().filter((c) => c.status === 'update-available')) {
      byStack.set(c.stack, [...(byStack.get(c.stack) ?? []), c]);
    }
    const started: string[] = [];
    for (const [stack, list] of byStack) {
      if (!list.every((c) => c.policy === 'auto')) continue;
      try {
        await (this.deps.startUpdate ?? ((s: string, a: string) => this.update(s, a)))(stack, 'auto');
        started.push(stack);
      } catch (err) {
        this.deps.log.warn({ stack, err: (err as Error).message }, 'auto update not started');
      }
    }
    return started;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
