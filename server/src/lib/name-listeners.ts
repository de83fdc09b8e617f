import type { Logger } from '../logger.js';

/**
 * Listeners told which names (projects, stacks) may have changed: each batch deduplicated,
 * empty batches dropped, and one failing listener never stops the others.
 */
export class NameListeners {
  private readonly listeners = new Set<(names: string[]) => void>();

  constructor(
    private readonly log: Logger,
    private readonly what: string,
  ) {}

  add(listener: (names: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(names: Iterable<string | undefined>): void {
    const unique = [...new Set(names)].filter((n): n is string => !!n);
    if (unique.length === 0) return;
    for (const l of this.listeners) {
      try {
        l(unique);
      } catch (err) {
        this.log.error({ err }, `${this.what} listener failed`);
      }
    }
  }
}
