import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.js';

/** The file inside the data directory that holds the cookie signing secret. */
export const SESSION_SECRET_FILE = 'session-secret';

// Shorter content is not a secret we wrote (32 random bytes are 64 hex digits).
const MIN_SECRET_LENGTH = 32;

function newSecret(): string {
  return randomBytes(32).toString('hex');
}

/** Writes `data` to a new file with mode 0600; 'wx' fails rather than replace an existing file. */
function writeNew(file: string, data: string): void {
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, `${data}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * The secret that signs session cookies, kept in `<dataDir>/session-secret` so sessions survive
 * restarts. Created on first use (owner-only); a file readable by others is narrowed to 0600.
 */
export function loadOrCreateSessionSecret(dataDir: string, log?: Logger): string {
  const file = path.join(dataDir, SESSION_SECRET_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!isMissing(err)) throw err;
    const secret = newSecret();
    try {
      writeNew(file, secret);
      log?.info({ file }, 'session secret created');
      return secret;
    } catch (e) {
      // Another process created it first: use theirs.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      text = readFileSync(file, 'utf8');
    }
  }

  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    chmodSync(file, 0o600);
    log?.warn(
      { file, mode: mode.toString(8) },
      'session secret was readable by others; its mode is now 0600',
    );
  }

  const secret = text.trim();
  if (secret.length >= MIN_SECRET_LENGTH) return secret;
  // Empty or truncated (say, a crash right after creating it): replace it whole, never in place.
  const replacement = newSecret();
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeNew(tmp, replacement);
  renameSync(tmp, file);
  log?.warn({ file }, 'session secret was empty or too short; a new one was created');
  return replacement;
}
