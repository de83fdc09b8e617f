import type { StackSummary } from '../../../common/stack.js';
import type { Logger } from '../logger.js';

export type FeedMessage = { type: 'changed'; stack: StackSummary } | { type: 'removed'; name: string };

/**
 * Turns "something about stack X may have changed" signals (file watcher, engine events) into
 * messages for clients: coalesced over a short window and only sent when the summary really
 * differs from what was last sent, so a burst of engine events costs a message or two.
 */
export class StackFeed {
  private readonly pending = new Set<string>();
  private readonly lastSent = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly summaryOf: (name: string) => StackSummary | null,
    private readonly publish: (m: FeedMessage) => void,
    private readonly log: Logger,
    private readonly windowMs = 40,
  ) {}

  /** Records what clients have been sent in full (the list on connect). */
  seed(stacks: readonly StackSummary[]): void {
    for (const s of stacks) this.lastSent.set(s.name, JSON.stringify(s));
  }

  touch(names: Iterable<string>): void {
    for (const n of names) this.pending.add(n);
    this.timer ??= setTimeout(() => this.flush(), this.windowMs);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const names = [...this.pending];
    this.pending.clear();
    for (const name of names) {
      try {
        const summary = this.summaryOf(name);
        if (!summary) {
          if (this.lastSent.delete(name)) this.publish({ type: 'removed', name });
          continue;
        }
        const json = JSON.stringify(summary);
        if (this.lastSent.get(name) === json) continue;
        this.lastSent.set(name, json);
        this.publish({ type: 'changed', stack: summary });
      } catch (err) {
        this.log.error({ err, name }, 'stack feed failed');
      }
    }
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
