import type { LogLine } from '../../../common/logs.js';

/** What one line costs in the ring: its text and tags (UTF-16 length as a cheap proxy) plus overhead. */
export const lineCost = (l: LogLine): number => l.text.length + l.container.length + l.service.length + 64;

/** The newest lines of one container, dropping the oldest past a byte budget. */
export class LogRing {
  private items: LogLine[] = [];
  private head = 0;
  private bytesUsed = 0;

  constructor(private readonly maxBytes: number) {}

  push(line: LogLine): void {
    this.items.push(line);
    this.bytesUsed += lineCost(line);
    while (this.bytesUsed > this.maxBytes && this.head < this.items.length - 1) {
      this.bytesUsed -= lineCost(this.items[this.head] as LogLine);
      this.head++;
    }
    // Compact now and then so dropped lines are freed.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.bytesUsed;
  }

  /** The last `n` lines (all when absent), oldest first. */
  last(n?: number): LogLine[] {
    const from = n === undefined ? this.head : Math.max(this.head, this.items.length - n);
    return this.items.slice(from);
  }

  /** Lines at or after a stamp. */
  since(ts: string): LogLine[] {
    return this.items.slice(this.head).filter((l) => l.ts >= ts);
  }

  oldest(): LogLine | undefined {
    return this.items[this.head];
  }

  newest(): LogLine | undefined {
    return this.items[this.items.length - 1];
  }
}
