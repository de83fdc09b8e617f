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
  ) {}

  private ignored = (p: string): boolean => {
    const rel = path.relative(this.root, p);
    if (rel === '') return false;
    const parts = rel.split(path.sep);
    if (parts.length > 2 || parts[0]?.startsWith('.')) return true;
    return parts.length === 2 && !RELEVANT_FILES.has(parts[1] ?? '');
  };

  start(): Promise<void> {
    this.watcher = watch(this.root, {
      depth: 1,
      ignoreInitial: true,
      followSymlinks: false,
      ignored: this.ignored,
      // Atomic saves rename over the file; chokidar's own atomic handling folds that to 'change'.
      atomic: true,
    });
    this.watcher.on('all', (_event, p) => {
      const rel = path.relative(this.root, p);
      const name = rel.split(path.sep)[0];
      if (name && !name.startsWith('.')) this.onStack(name);
    });
    this.watcher.on('error', (err) => this.log.error({ err }, 'stack watcher error'));
    return new Promise((resolve) => this.watcher?.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = undefined;
  }
}
