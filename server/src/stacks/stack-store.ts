import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import {
  COMPOSE_FILE_NAMES,
  STACK_NAME_PATTERN,
  type ComposeFileName,
  type HistoryEntry,
  type Problem,
} from '../../../common/stack.js';
import { AppError } from '../errors.js';
import { KeyedMutex } from '../lib/keyed-mutex.js';
import type { Logger } from '../logger.js';
import { writeFileAtomic } from './atomic-write.js';
import type { StackHistory } from './stack-history.js';
import type { StackPaths } from './stack-paths.js';
import { StackWatcher } from './stack-watcher.js';
import { readIfExists } from '../lib/read-if-exists.js';

/** A file path inside a stack folder (as common/stack-files.ts's StackFilePath). */
const STACK_FILE_PATTERN = /^(?!\.)[A-Za-z0-9_. -]+(?:\/(?!\.)[A-Za-z0-9_. -]+)*$/;

export type ComposeValidator = (text: string) => { problems: Problem[]; parsed: boolean };

/** What the store knows of a stack folder without reading its files again. */
export interface StackFileInfo {
  name: string;
  composeFile: ComposeFileName;
  /** Latest mtime of the compose file and .env, ISO. */
  updatedAt: string;
  services: string[];
  /** `x-berth: {target: swarm}` at the top level makes a swarm stack. */
  target: 'compose' | 'swarm';
}

export interface StackFiles {
  info: StackFileInfo;
  yaml: string;
  env: string | null;
  etag: string;
}

export type StackEvent = { type: 'changed'; info: StackFileInfo } | { type: 'removed'; name: string };

export interface SaveResult {
  etag: string;
  problems: Problem[];
}

export function etagOf(yaml: string, env: string | null): string {
  const h = createHash('sha256').update(yaml).update('\0');
  h.update(env === null ? '\u0001no-env' : env);
  return h.digest('base64url').slice(0, 27);
}

function fileFacts(yaml: string): { services: string[]; target: 'compose' | 'swarm' } {
  try {
    const doc: unknown = parse(yaml, { merge: true });
    if (doc && typeof doc === 'object') {
      const { services, 'x-berth': berth } = doc as { services?: unknown; 'x-berth'?: { target?: unknown } };
      const target = berth && typeof berth === 'object' && berth.target === 'swarm' ? 'swarm' : 'compose';
      const names =
        services && typeof services === 'object' && !Array.isArray(services) ? Object.keys(services) : [];
      return { services: names, target };
    }
  } catch {
    // unparseable files have no known services
  }
  return { services: [], target: 'compose' };
}

const SETTLE_MS = 30;
const CONFIRM_MS = 120;

function compactTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('.', '');
}

/**
 * The stacks folder as the source of truth: discovery, reads with etags, atomic saves with
 * history, creation, trash, and a watcher that keeps an in-memory index current.
 */
export class StackStore {
  private readonly index = new Map<string, StackFileInfo>();
  private readonly listeners = new Set<(e: StackEvent) => void>();
  private readonly writes = new KeyedMutex();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private watcher: StackWatcher | undefined;
  private closed = false;

  constructor(
    private readonly paths: StackPaths,
    private readonly history: StackHistory,
    private readonly validate: ComposeValidator,
    private readonly log: Logger,
    /** How deep stack folders sit: 1 = direct children of the stacks dir. */
    private readonly depth = 1,
  ) {}

  /** Scans the stacks dir once and starts the watcher. */
  async start(): Promise<void> {
    await this.scan('', 1);
    this.watcher = new StackWatcher(
      this.paths.root,
      (name) => this.scheduleRefresh(name),
      this.log,
      this.depth,
    );
    await this.watcher.start();
    this.log.info({ stacks: this.index.size, root: this.paths.root }, 'stacks discovered');
  }

  /** A folder with a compose file is a stack; one without is a group looked into, up to `depth`. */
  private async scan(prefix: string, level: number): Promise<void> {
    const dir = prefix === '' ? this.paths.root : this.paths.dirOf(prefix);
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map(async (e) => {
          const name = prefix === '' ? e.name : `${prefix}/${e.name}`;
          if (!STACK_NAME_PATTERN.test(name)) return;
          const info = await this.inspect(name).catch((err: unknown) => {
            // Not silently dropped: the user sees in the log why a folder is not listed.
            this.log.warn({ err, folder: name }, 'stack folder cannot be read; not listed');
            return null;
          });
          if (info) this.index.set(name, info);
          else if (level < this.depth) await this.scan(name, level + 1);
        }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    await this.watcher?.close();
  }

  onChange(listener: (e: StackEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether a stack of that name is on disk now (not only in the index); false for bad names. */
  async exists(name: string): Promise<boolean> {
    if (!STACK_NAME_PATTERN.test(name)) return false;
    return (await this.locate(name).catch(() => null)) !== null;
  }

  /** The stack's folder path (the name is checked; existence is not). */
  dirOf(name: string): string {
    return this.paths.dirOf(name);
  }

  list(): StackFileInfo[] {
    return [...this.index.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): StackFileInfo | undefined {
    return this.index.get(name);
  }

  /**
   * Bursts of file events for one stack become one refresh, plus a trailing re-read: chokidar
   * drops a `change` that follows a reported one within its ~50 ms throttle, and without the
   * second look such an edit would stay unseen until the next one.
   */
  private scheduleRefresh(name: string): void {
    if (!STACK_NAME_PATTERN.test(name)) return;
    clearTimeout(this.pending.get(name));
    const run = (then?: () => void) => () => {
      void this.refresh(name)
        .catch((err: unknown) => this.log.warn({ err, name }, 'refresh failed'))
        .finally(() => then?.());
    };
    this.pending.set(
      name,
      setTimeout(
        run(() => {
          if (this.closed) return;
          this.pending.set(
            name,
            setTimeout(
              run(() => this.pending.delete(name)),
              CONFIRM_MS,
            ),
          );
        }),
        SETTLE_MS,
      ),
    );
  }

  /** Re-reads one stack from disk, updates the index and tells listeners when it changed. */
  async refresh(name: string): Promise<void> {
    const info = await this.inspect(name).catch((err: unknown) => {
      if (err instanceof AppError) return null; // e.g. now a symlink out of the stacks dir
      throw err;
    });
    const before = this.index.get(name);
    if (!info) {
      if (before) {
        this.index.delete(name);
        this.emit({ type: 'removed', name });
      }
      return;
    }
    this.index.set(name, info);
    const same =
      before &&
      before.composeFile === info.composeFile &&
      before.updatedAt === info.updatedAt &&
      before.services.join('\0') === info.services.join('\0') &&
      before.target === info.target;
    if (!same) this.emit({ type: 'changed', info });
  }

  private emit(e: StackEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log.error({ err }, 'stack listener failed');
      }
    }
  }

  /** Finds the stack folder and its compose file; null when it is not a stack (anymore). */
  private async locate(name: string): Promise<{ dir: string; composeFile: ComposeFileName } | null> {
    const dir = this.paths.dirOf(name);
    const real = await this.paths.resolveInside(dir);
    if (!real) return null;
    const st = await stat(real);
    if (!st.isDirectory()) return null;
    for (const f of COMPOSE_FILE_NAMES) {
      const file = path.join(dir, f);
      const resolved = await this.paths.resolveInside(file);
      if (resolved && (await stat(resolved)).isFile()) return { dir, composeFile: f };
    }
    return null;
  }

  private async inspect(name: string): Promise<StackFileInfo | null> {
    const loc = await this.locate(name);
    return loc ? (await this.load(name, loc)).info : null;
  }

  /** One read of the compose file (and stats) gives both the content and the index entry. */
  private async load(
    name: string,
    loc: { dir: string; composeFile: ComposeFileName },
  ): Promise<{ info: StackFileInfo; yaml: string }> {
    const compose = path.join(loc.dir, loc.composeFile);
    const [yaml, cst, est] = await Promise.all([
      readFile(compose, 'utf8'),
      stat(compose),
      stat(path.join(loc.dir, '.env')).catch(() => null),
    ]);
    const mtime = Math.max(cst.mtimeMs, est?.mtimeMs ?? 0);
    const info = {
      name,
      composeFile: loc.composeFile,
      updatedAt: new Date(mtime).toISOString(),
      ...fileFacts(yaml),
    };
    return { info, yaml };
  }

  private async requireStack(name: string): Promise<{ dir: string; composeFile: ComposeFileName }> {
    const loc = await this.locate(name);
    if (!loc) throw new AppError('STACK_NOT_FOUND', `stack "${name}" does not exist`);
    return loc;
  }

  private async envPath(dir: string): Promise<string> {
    const p = path.join(dir, '.env');
    await this.paths.resolveInside(p); // refuses a .env symlinked out of the stacks dir
    return p;
  }

  async read(name: string): Promise<StackFiles> {
    const loc = await this.requireStack(name);
    const [{ info, yaml }, env] = await Promise.all([
      this.load(name, loc),
      this.envPath(loc.dir).then(readIfExists),
    ]);
    return { info, yaml, env, etag: etagOf(yaml, env) };
  }

  private requireParsable(yaml: string): Problem[] {
    const { problems, parsed } = this.validate(yaml);
    if (!parsed) {
      const first = problems.find((p) => p.severity === 'error') ?? problems[0];
      const where = first ? ` (line ${first.line}, column ${first.column}: ${first.message})` : '';
      throw new AppError('INVALID_COMPOSE', `the compose file is not valid YAML${where}`, { problems });
    }
    return problems;
  }

  async create(name: string, yaml: string, env?: string): Promise<StackFiles> {
    this.requireParsable(yaml);
    return this.writes.run(name, async () => {
      const dir = this.paths.dirOf(name);
      if (await this.locate(name)) throw new AppError('STACK_EXISTS', `stack "${name}" already exists`);
      const real = await this.paths.resolveInside(dir);
      if (real === null) {
        await mkdir(dir);
      } else if (!(await stat(real)).isDirectory()) {
        throw new AppError('STACK_EXISTS', `"${name}" exists in the stacks dir and is not a folder`);
      }
      // A folder without a compose file is adopted: nothing in it is touched but the new files.
      await writeFileAtomic(path.join(dir, 'compose.yaml'), yaml);
      if (env) await writeFileAtomic(await this.envPath(dir), env, 0o600);
      await this.refresh(name);
      return this.read(name);
    });
  }

  /** Optimistic save: a stale etag is a CONFLICT carrying what is on disk now. */
  async save(name: string, input: { yaml: string; env?: string; etag: string }): Promise<SaveResult> {
    const problems = this.requireParsable(input.yaml);
    return this.writes.run(name, async () => {
      const current = await this.read(name);
      if (current.etag !== input.etag) {
        throw new AppError('CONFLICT', `stack "${name}" changed since it was loaded`, {
          current: { yaml: current.yaml, env: current.env, etag: current.etag },
        });
      }
      return this.writeVersion(name, current, input.yaml, input.env, problems);
    });
  }

  private async writeVersion(
    name: string,
    current: StackFiles,
    yaml: string,
    /** undefined: leave .env alone; null: there is no .env (a version saved without one). */
    env: string | null | undefined,
    problems: Problem[],
  ): Promise<SaveResult> {
    // An empty .env is only written where one exists: no file appears for nothing.
    const envChanges =
      env === null
        ? current.env !== null
        : env !== undefined && env !== (current.env ?? '') && !(env === '' && current.env === null);
    if (yaml === current.yaml && !envChanges) return { etag: current.etag, problems };
    await this.history.record(name, {
      composeFile: current.info.composeFile,
      yaml: current.yaml,
      env: current.env,
    });
    const dir = this.paths.dirOf(name);
    if (yaml !== current.yaml) await writeFileAtomic(path.join(dir, current.info.composeFile), yaml);
    // The .env being replaced is in history already, so removing it loses nothing.
    const newEnv = envChanges && env !== undefined ? env : current.env;
    if (envChanges && newEnv === null) await unlink(await this.envPath(dir));
    else if (envChanges && newEnv !== null) await writeFileAtomic(await this.envPath(dir), newEnv, 0o600);
    await this.refresh(name);
    return { etag: etagOf(yaml, newEnv), problems };
  }

  listHistory(name: string): Promise<HistoryEntry[]> {
    this.paths.dirOf(name);
    return this.history.list(name);
  }

  async readHistory(
    name: string,
    id: string,
  ): Promise<{ yaml: string; env: string | null; savedAt: string; file?: string }> {
    this.paths.dirOf(name);
    const v = await this.history.read(name, id);
    return { yaml: v.yaml, env: v.env, savedAt: v.savedAt, ...(v.file ? { file: v.file } : {}) };
  }

  /** Keeps the text an override, include or extends file had before a save overwrites it. */
  async recordFileVersion(name: string, file: string, content: string): Promise<void> {
    this.paths.dirOf(name);
    await this.history.record(name, { composeFile: file, yaml: content, env: null, file });
  }

  /** Restore is a save of an old version (the current one goes to history first). */
  async restore(name: string, id: string): Promise<SaveResult> {
    const version = await this.history.read(name, id);
    if (version.file !== undefined) return this.restoreFile(name, version.file, version.yaml);
    const { problems } = this.validate(version.yaml);
    return this.writes.run(name, async () => {
      const current = await this.read(name);
      return this.writeVersion(name, current, version.yaml, version.env, problems);
    });
  }

  /** An extra file's old version written back (its current text goes to history first). */
  private async restoreFile(name: string, file: string, content: string): Promise<SaveResult> {
    if (!STACK_FILE_PATTERN.test(file))
      throw new AppError('NOT_FOUND', `no such file "${file.slice(0, 80)}"`);
    return this.writes.run(name, async () => {
      const loc = await this.requireStack(name);
      const full = path.join(loc.dir, ...file.split('/'));
      const real = await this.paths.resolveInside(full);
      const current = real === null ? null : await readIfExists(real);
      if (current !== content) {
        if (current !== null) await this.recordFileVersion(name, file, current);
        await mkdir(path.dirname(full), { recursive: true });
        await writeFileAtomic(full, content);
      }
      return { etag: (await this.read(name)).etag, problems: [] };
    });
  }

  /** Moves the stack folder to `.trash/<name>-<time>/`; nothing is deleted. Returns the new path. */
  async moveToTrash(name: string, now = new Date()): Promise<string> {
    return this.writes.run(name, async () => {
      const loc = await this.requireStack(name);
      await mkdir(this.paths.trash, { recursive: true });
      const target = path.join(this.paths.trash, `${name.replace(/\//g, '__')}-${compactTimestamp(now)}`);
      await rename(loc.dir, target);
      await this.refresh(name);
      this.log.info({ name, target }, 'stack moved to trash');
      return target;
    });
  }
}
