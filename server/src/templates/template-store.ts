import { cp, lstat, mkdir, readdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { COMPOSE_FILE_NAMES } from '../../../common/names.js';
import {
  TEMPLATE_NAME_PATTERN,
  TemplateMeta,
  type TemplateDetail,
  type TemplateSource,
} from '../../../common/templates.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { writeFileAtomic } from '../stacks/atomic-write.js';
import { readIfExists } from '../lib/read-if-exists.js';

export const META_FILE = 'template.json';
export const ENV_EXAMPLE = '.env.example';
/** Files of a template folder that are not copied into a new stack (the rest is, e.g. a Caddyfile). */
const NOT_COPIED = new Set([META_FILE, ENV_EXAMPLE, '.env', ...COMPOSE_FILE_NAMES]);

function compactTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('.', '');
}

export interface TemplateFolder extends TemplateDetail {
  dir: string;
}

/**
 * Templates on disk: built-ins (Berth's example stacks, read-only) and user templates under
 * `<dataDir>/templates/<name>/`. A folder is a template when it holds a compose file and a valid
 * `template.json`; a broken one is logged and left out, never fatal.
 */
export class TemplateStore {
  constructor(
    private readonly dirs: { builtin: string; user: string; trash: string },
    private readonly log: Logger,
  ) {}

  private rootOf(source: TemplateSource): string {
    return source === 'builtin' ? this.dirs.builtin : this.dirs.user;
  }

  async list(): Promise<TemplateFolder[]> {
    const out: TemplateFolder[] = [];
    for (const source of ['builtin', 'user'] as const) {
      const entries = await readdir(this.rootOf(source), { withFileTypes: true }).catch(() => []);
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (!e.isDirectory() || !TEMPLATE_NAME_PATTERN.test(e.name)) continue;
        const t = await this.load(source, e.name).catch((err: unknown) => {
          this.log.warn({ err, template: `${source}/${e.name}` }, 'template cannot be read; not listed');
          return null;
        });
        if (t) out.push(t);
      }
    }
    return out;
  }

  /** null when there is no such template (no folder, no template.json). */
  async load(source: TemplateSource, name: string): Promise<TemplateFolder | null> {
    if (!TEMPLATE_NAME_PATTERN.test(name)) return null;
    const dir = path.join(this.rootOf(source), name);
    const metaText = await readIfExists(path.join(dir, META_FILE));
    if (metaText === null) return null;
    const meta = TemplateMeta.parse(JSON.parse(metaText));
    let compose: string | null = null;
    for (const f of COMPOSE_FILE_NAMES) {
      compose = await readIfExists(path.join(dir, f));
      if (compose !== null) break;
    }
    if (compose === null) throw new Error(`${source}/${name} has no compose file`);
    return {
      id: `${source}/${name}`,
      source,
      name,
      ...meta,
      compose,
      envExample: await readIfExists(path.join(dir, ENV_EXAMPLE)),
      dir,
    };
  }

  async exists(source: TemplateSource, name: string): Promise<boolean> {
    return (await lstat(path.join(this.rootOf(source), name)).catch(() => null)) !== null;
  }

  /** Writes a new user template; an existing name is a conflict (nothing is overwritten). */
  async createUser(
    name: string,
    files: { meta: TemplateMeta; compose: string; envExample: string | null },
  ): Promise<void> {
    await mkdir(this.dirs.user, { recursive: true });
    const dir = path.join(this.dirs.user, name);
    try {
      await mkdir(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new AppError('CONFLICT', `a user template named "${name}" exists already`);
      }
      throw err;
    }
    await writeFileAtomic(path.join(dir, 'compose.yaml'), files.compose);
    if (files.envExample !== null)
      await writeFileAtomic(path.join(dir, ENV_EXAMPLE), files.envExample, 0o600);
    // The metadata last: a folder without it is not a template, so a half-written one never lists.
    await writeFileAtomic(path.join(dir, META_FILE), `${JSON.stringify(files.meta, null, 2)}\n`);
  }

  /** Moves a user template to `<dataDir>/trash/templates/<name>-<time>/`; returns the new path. */
  async trash(name: string, now = new Date()): Promise<string> {
    const dir = path.join(this.dirs.user, name);
    await mkdir(this.dirs.trash, { recursive: true });
    const target = path.join(this.dirs.trash, `${name}-${compactTimestamp(now)}`);
    await rename(dir, target);
    this.log.info({ template: `user/${name}`, target }, 'template moved to trash');
    return target;
  }

  /** Copies a template's other files (never symlinks, never existing files) into a stack folder. */
  async copyExtras(template: TemplateFolder, stackDir: string): Promise<void> {
    const entries = await readdir(template.dir, { withFileTypes: true });
    for (const e of entries) {
      if (NOT_COPIED.has(e.name) || e.isSymbolicLink()) continue;
      await cp(path.join(template.dir, e.name), path.join(stackDir, e.name), {
        recursive: true,
        force: false,
        errorOnExist: false,
        filter: async (src) => !(await lstat(src)).isSymbolicLink(),
      });
    }
  }
}
