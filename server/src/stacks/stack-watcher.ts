import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { COMPOSE_FILE_NAMES } from '../../../common/stack.js';
import type { Logger } from '../logger.js';

const RELEVANT_FILES = new Set<string>([...COMPOSE_FILE_NAMES, '.env']);

/**
 * Watches the stacks dir and each stack folder's top level only. Anything deeper (a stack's
 * `./data` with thousands of files) is never walked: the `ignored` test stops chokidar before
 * it reads such folders. Calls `onStack(name)` for every change touching a stack.
 */
export class StackWatcher {
  private watcher: FSWatcher | undefined;

  constructor(
    private readonly root: string,
    private readonly onStack: (name: string) => void,
    private readonly log: Logger,
    /** Stack folders sit 1..depth levels down (groups of stacks above them). */
    private readonly depth = 1,
  ) {}

  private ignored = (p: string): boolean => {
    const rel = path.relative(this.root, p);
    if (rel === '') return false;
    const parts = rel.split(path.sep);
    if (parts.length > this.depth + 1 || parts.some((x) => x.startsWith('.'))) return true;
    // Below a possible stack folder only its compose files and .env count; at group levels
    // folders are followed too.
    const last = parts[parts.length - 1] ?? '';
    return parts.length > 1 && !RELEVANT_FILES.has(last) && parts.length > this.depth;
  };

  start(): Promise<void> {
    this.watcher = watch(this.root, {
      depth: this.depth,
      ignoreInitial: true,
      followSymlinks: false,
      ignored: this.ignored,
      // Atomic saves rename over the file; chokidar's own atomic handling folds that to 'change'.
      atomic: true,
    });
    this.watcher.on('all', (_event, p) => {
      const parts = path.relative(this.root, p).split(path.sep);
      if (RELEVANT_FILES.has(parts[parts.length - 1] ?? '')) parts.pop();
      // Every folder level that may be the stack is told; non-stacks refresh to nothing.
      for (let n = 1; n <= Math.min(parts.length, this.depth); n++) {
        const name = parts.slice(0, n).join('/');
        if (name && !name.startsWith('.')) this.onStack(name);
      }
    });
    this.watcher.on('error', (err) => this.log.error({ err }, 'stack watcher error'));
    return new Promise((resolve) => this.watcher?.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
  }
}
