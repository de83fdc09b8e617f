import type { Readable } from 'node:stream';

export interface LineSubscription {
  close(): void;
}

/**
 * Follows a stream of JSON lines (the engine's events endpoint): each parsed line to `onLine`,
 * `onEnd` once when the stream errors, ends or closes (not after `close()`).
 */
export function followJsonLines(
  stream: Readable,
  onLine: (value: unknown) => void,
  onEnd: (err?: Error) => void,
): LineSubscription {
  let buffer = '';
  let ended = false;
  const end = (err?: Error) => {
    if (ended) return;
    ended = true;
    onEnd(err);
  };
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (!line) continue;
      try {
        onLine(JSON.parse(line));
      } catch {
        // a malformed line is skipped (and a failing listener never ends the stream); the next
        // list rebuild corrects any drift
      }
    }
  });
  stream.on('error', (err: Error) => end(err));
  stream.on('end', () => end());
  stream.on('close', () => end());
  return {
    close: () => {
      ended = true;
      stream.destroy();
    },
  };
}
