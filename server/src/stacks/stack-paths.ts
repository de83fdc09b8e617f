import { realpathSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { STACK_NAME_PATTERN } from '../../../common/stack.js';
import { AppError } from '../errors.js';

/** Builds every path under the stacks dir and proves it stays there, symlinks included. */
export class StackPaths {
  readonly root: string;
  readonly trash: string;

  constructor(stacksDir: string) {
    // Compare against the real path so a stacks dir that is itself a symlink still works.
    this.root = realpathSync(stacksDir);
    this.trash = path.join(this.root, '.trash');
  }

  /** The stack's folder; the name must already have passed StackName (checked again, cheaply). */
  dirOf(name: string): string {
    if (!STACK_NAME_PATTERN.test(name)) {
      throw new AppError('BAD_REQUEST', `invalid stack name "${name.slice(0, 80)}"`);
    }
    return path.join(this.root, ...name.split('/'));
  }

  isInside(p: string): boolean {
    const rel = path.relative(this.root, p);
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  }

  /**
   * Resolves an existing path and refuses it when symlinks lead outside the stacks dir.
   * Returns null when the path does not exist.
   */
  async resolveInside(p: string): Promise<string | null> {
    let real: string;
    try {
      real = await realpath(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        // A dangling symlink is refused too: writing through it would create a file elsewhere.
        const isLink = await lstat(p).then(
          (s) => s.isSymbolicLink(),
          () => false,
        );
        if (isLink) throw outside(p, this.root);
        return null;
      }
      throw err;
    }
    if (!this.isInside(real)) throw outside(p, this.root);
    return real;
  }
}

function outside(p: string, root: string): AppError {
  return new AppError('BAD_REQUEST', `"${path.relative(root, p)}" resolves outside the stacks dir`);
}
