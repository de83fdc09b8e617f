/** Small appends gather here until they are worth a chunk of their own. */
const SEAL_BYTES = 8 * 1024;
/** Most bytes trimmed beyond the minimum, to find a line start and to trim less often. */
const MAX_SLACK_BYTES = 16 * 1024;

interface Chunk {
  text: string;
  bytes: number;
}

/** Stands in for dropped chunks so their text can be collected before the list is compacted. */
const DROPPED: Chunk = { text: '', bytes: 0 };

const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/**
 * The last `capBytes` (UTF-8) of a terminal's output. Once over the cap it drops the oldest data,
 * cutting after a newline when one is near and never between the halves of a surrogate pair. It
 * trims a little below the cap (up to capBytes/8, at most 16 KiB) so that a steady stream of small
 * writes does not trim, and fragment, on every append.
 */
export class Scrollback {
  private chunks: Chunk[] = [];
  private head = 0;
  private tail: string[] = [];
  private tailBytes = 0;
  private total = 0;
  private readonly slack: number;

  constructor(readonly capBytes: number) {
    if (!Number.isInteger(capBytes) || capBytes < 1)
      throw new RangeError('capBytes must be a positive integer');
    this.slack = Math.min(MAX_SLACK_BYTES, Math.floor(capBytes / 8));
  }

  /** Size in UTF-8 bytes. */
  get bytes(): number {
    return this.total;
  }

  /** `bytes` is `Buffer.byteLength(data)`, passed in because the caller already knows it. */
  append(data: string, bytes: number = Buffer.byteLength(data)): void {
    if (bytes === 0) return;
    if (bytes >= SEAL_BYTES) {
      this.seal();
      this.chunks.push({ text: data, bytes });
    } else {
      this.tail.push(data);
      this.tailBytes += bytes;
      if (this.tailBytes >= SEAL_BYTES) this.seal();
    }
    this.total += bytes;
    if (this.total > this.capBytes) this.trim();
  }

  toString(): string {
    this.seal();
    const live = this.chunks.length - this.head;
    if (live === 0) return '';
    if (live > 1) {
      // Keep the joined result: the next read is free and the chunk list stays short.
      const text = this.chunks
        .slice(this.head)
        .map((c) => c.text)
        .join('');
      this.chunks = [{ text, bytes: this.total }];
      this.head = 0;
    }
    return this.chunks[this.head]?.text ?? '';
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.tail = [];
    this.tailBytes = 0;
    this.total = 0;
  }

  private seal(): void {
    if (this.tail.length === 0) return;
    const text = this.tail.length === 1 ? (this.tail[0] ?? '') : this.tail.join('');
    this.chunks.push({ text, bytes: this.tailBytes });
    this.tail = [];
    this.tailBytes = 0;
  }

  private trim(): void {
    this.seal();
    // Bytes that must go, and how much further we may look for a line start.
    let must = this.total - this.capBytes;
    let window = this.slack;
    while (this.head < this.chunks.length) {
      const chunk = this.chunks[this.head];
      if (chunk === undefined) break;
      if (chunk.bytes <= must) {
        this.dropHead(chunk);
        must -= chunk.bytes;
        continue;
      }
      // Removing n UTF-16 units removes at least n UTF-8 bytes, so unit index `must` is enough.
      const from = Math.max(must, 0);
      const newline = chunk.text.indexOf('\n', from);
      let cut: number;
      if (newline !== -1 && newline - from < window) {
        cut = newline + 1;
      } else if (chunk.text.length - from <= window) {
        // No newline here but the window runs on into the next chunk: drop this one whole.
        window -= Math.max(0, chunk.text.length - from);
        must = 0;
        this.dropHead(chunk);
        continue;
      } else {
        cut = from + window;
        if (isLowSurrogate(chunk.text.charCodeAt(cut))) cut++;
      }
      if (cut >= chunk.text.length) {
        this.dropHead(chunk);
      } else if (cut > 0) {
        const text = chunk.text.slice(cut);
        const bytes = Buffer.byteLength(text);
        this.total -= chunk.bytes - bytes;
        chunk.text = text;
        chunk.bytes = bytes;
      }
      break;
    }
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  private dropHead(chunk: Chunk): void {
    this.total -= chunk.bytes;
    this.chunks[this.head] = DROPPED;
    this.head++;
  }
}
