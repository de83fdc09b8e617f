import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { HistoryEntry } from '../../../common/stack.js';
import { AppError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';

export interface StackVersion {
  composeFile: string;
  yaml: string;
  env: string | null;
  /** A version of an override, include or extends file (its path in the folder); `yaml` is its text. */
  file?: string;
}

const StoredVersion = z.object({
  savedAt: z.string(),
  composeFile: z.string(),
  yaml: z.string(),
  env: z.string().nullable(),
  file: z.string().optional(),
});

/** Sortable by name: UTC time to the millisecond, then a random suffix against same-ms saves. */
const ID_PATTERN = /^\d{8}T\d{9}Z-[0-9a-f]{6}$/;

function newId(now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * Previous versions of each stack's compose file and .env, one JSON file per version under
 * `<dataDir>/history/<name>/`, newest kept up to `limit`.
 */
export class StackHistory {
  constructor(
    private readonly dir: string,
    private readonly limit = 100,
  ) {}

  private stackDir(name: string): string {
    return path.join(this.dir, name);
  }

  async record(name: string, version: StackVersion, now = new Date()): Promise<HistoryEntry> {
    const dir = this.stackDir(name);
    await mkdir(dir, { recursive: true });
    const id = newId(now);
    const stored = { savedAt: now.toISOString(), ...version };
    await writeFileAtomic(path.join(dir, `${id}.json`), JSON.stringify(stored), 0o600);
    await this.prune(name);
    return {
      id,
      savedAt: stored.savedAt,
      size: sizeOf(version),
      ...(version.file ? { file: version.file } : {}),
    };
  }

  private async ids(name: string): Promise<string[]> {
    let files: string[];
    try {
      files = await readdir(this.stackDir(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return files
      .filter((f) => f.endsWith('.json') && ID_PATTERN.test(f.slice(0, -5)))
      .map((f) => f.slice(0, -5))
      .sort()
      .reverse();
  }

  private async prune(name: string): Promise<void> {
    const ids = await this.ids(name);
    for (const id of ids.slice(this.limit)) {
      await unlink(path.join(this.stackDir(name), `${id}.json`)).catch(() => undefined);
    }
  }

  /** Newest first. */
  async list(name: string): Promise<HistoryEntry[]> {
    const out: HistoryEntry[] = [];
    for (const id of await this.ids(name)) {
      const v = await this.read(name, id).catch(() => null);
      if (v) out.push({ id, savedAt: v.savedAt, size: sizeOf(v), ...(v.file ? { file: v.file } : {}) });
    }
    return out;
  }

  async read(name: string, id: string): Promise<StackVersion & { savedAt: string }> {
    if (!ID_PATTERN.test(id)) throw new AppError('NOT_FOUND', `no history entry "${id.slice(0, 40)}"`);
    let text: string;
    try {
      text = await readFile(path.join(this.stackDir(name), `${id}.json`), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new AppError('NOT_FOUND', `stack "${name}" has no history entry "${id}"`);
      }
      throw err;
    }
    return StoredVersion.parse(JSON.parse(text));
  }
}

function sizeOf(v: { yaml: string; env: string | null }): number {
  return Buffer.byteLength(v.yaml) + (v.env === null ? 0 : Buffer.byteLength(v.env));
}
