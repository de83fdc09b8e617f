import type { StackSummary } from '../../../common/stack.js';
import type { FeedMessage } from '../stacks/stack-feed.js';

/**
 * The hub's copy of its agents' stacks, kept current by their feeds. A host that goes offline
 * keeps its list, every stack `unknown`; a host that comes back replaces it with a fresh one.
 */
export class RemoteStacks {
  private readonly byHost = new Map<string, Map<string, StackSummary>>();

  constructor(private readonly publish: (host: string, m: FeedMessage) => void) {}

  /** Every cached stack of every host, hosts in the order they were first seen. */
  all(): StackSummary[] {
    return [...this.byHost.values()].flatMap((m) => [...m.values()]);
  }

  of(host: string): StackSummary[] {
    return [...(this.byHost.get(host)?.values() ?? [])];
  }

  /** The agent's full list (on each connection): stacks gone since are removed. */
  replace(host: string, list: readonly StackSummary[]): void {
    const before = this.byHost.get(host) ?? new Map<string, StackSummary>();
    const next = new Map(list.map((s) => [s.name, { ...s, host }]));
    this.byHost.set(host, next);
    for (const name of before.keys()) {
      if (!next.has(name)) this.publish(host, { type: 'removed', name });
    }
    for (const s of next.values()) this.publish(host, { type: 'changed', stack: s });
  }

  changed(host: string, stack: StackSummary): void {
    const s = { ...stack, host };
    let m = this.byHost.get(host);
    if (!m) this.byHost.set(host, (m = new Map()));
    m.set(s.name, s);
    this.publish(host, { type: 'changed', stack: s });
  }

  removed(host: string, name: string): void {
    if (this.byHost.get(host)?.delete(name)) this.publish(host, { type: 'removed', name });
  }

  /** The host's agent is gone: nothing is known of its stacks' state until it is back. */
  offline(host: string): void {
    const m = this.byHost.get(host);
    if (!m) return;
    for (const [name, s] of m) {
      const unknown: StackSummary = { ...s, status: 'unknown', health: 'none' };
      m.set(name, unknown);
      this.publish(host, { type: 'changed', stack: unknown });
    }
  }

  /** The host was revoked: its stacks leave the list. */
  drop(host: string): void {
    for (const name of this.byHost.get(host)?.keys() ?? []) this.publish(host, { type: 'removed', name });
    this.byHost.delete(host);
  }
}
