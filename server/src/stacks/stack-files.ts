import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { projectNameOf } from '../../../common/names.js';
import type { StackFileContent, StackFileEntry } from '../../../common/stack-files.js';
import type { Problem } from '../../../common/stack.js';
import { AppError } from '../errors.js';
import { KeyedMutex } from '../lib/keyed-mutex.js';
import { writeFileAtomic } from './atomic-write.js';
import type { StackChecker } from './stack-check.js';
import type { StackPaths } from './stack-paths.js';
import type { StackStore } from './stack-store.js';

/** The override files compose reads beside each main file name, in its order. */
const OVERRIDES: Record<string, string[]> = {
  'compose.yaml': ['compose.override.yaml', 'compose.override.yml'],
  'compose.yml': ['compose.override.yml', 'compose.override.yaml'],
  'docker-compose.yaml': ['docker-compose.override.yaml', 'docker-compose.override.yml'],
  'docker-compose.yml': ['docker-compose.override.yml', 'docker-compose.override.yaml'],
};

const etagOf = (content: string) => createHash('sha256').update(content).digest('base64url').slice(0, 27);

/**
 * A stack's other compose files: its override file (compose reads it with the main one) and the
 * `include:` / `extends: file:` targets inside its folder. Only files on that list are read or
 * written, and each path is proven to stay inside the folder.
 */
export class StackExtraFiles {
  private readonly writes = new KeyedMutex();

  constructor(
    private readonly store: StackStore,
    private readonly paths: StackPaths,
    private readonly checker: StackChecker,
  ) {}

  async list(name: string): Promise<StackFileEntry[]> {
    const files = await this.store.read(name);
    const dir = this.store.dirOf(name);
    const out: StackFileEntry[] = [];
    const overrides = OVERRIDES[files.info.composeFile] ?? [];
    const present = [];
    for (const f of overrides) if (await this.readInside(dir, f)) present.push(f);
    const first = present[0] ?? overrides[0];
    if (first) out.push({ path: first, kind: 'override', exists: present.length > 0 });
    for (const { file, kind } of referencedFiles(files.yaml)) {
      const rel = path.posix.normalize(file.replace(/^\.\//, ''));
      if (rel.startsWith('..') || path.isAbsolute(rel) || out.some((o) => o.path === rel)) continue;
      if ((await this.readInside(dir, rel)) !== null) out.push({ path: rel, kind, exists: true });
    }
    return out;
  }

  async read(name: string, file: string): Promise<StackFileContent> {
    await this.requireListed(name, file);
    const content = (await this.readInside(this.store.dirOf(name), file)) ?? '';
    return { path: file, content, etag: content === '' ? '' : etagOf(content) };
  }

  /** Optimistic save (409 with the current content on a stale etag); compose then judges the folder. */
  async save(
    name: string,
    file: string,
    input: { content: string; etag: string },
  ): Promise<{ etag: string; problems: Problem[] }> {
    await this.requireListed(name, file);
    const dir = this.store.dirOf(name);
    await this.writes.run(name, async () => {
      const current = await this.readInside(dir, file);
      const currentEtag = current === null || current === '' ? '' : etagOf(current);
      if (currentEtag !== input.etag) {
        throw new AppError('CONFLICT', `${file} changed since it was loaded`, {
          current: { content: current ?? '', etag: currentEtag },
        });
      }
      // History before overwrite, as for the main file: the version names its file.
      if (current !== null && current !== input.content)
        await this.store.recordFileVersion(name, file, current);
      await writeFileAtomic(path.join(dir, ...file.split('/')), input.content);
    });
    const problems = await this.checker.composeProblems(dir, projectNameOf(name), input.content);
    return { etag: etagOf(input.content), problems };
  }

  private async requireListed(name: string, file: string): Promise<void> {
    if (!(await this.list(name)).some((f) => f.path === file)) {
      throw new AppError(
        'NOT_FOUND',
        `"${file}" is not an override, include or extends file of stack "${name}"`,
      );
    }
  }

  /** The file's text, null when it does not exist; refuses paths leading out of the stacks dir. */
  private async readInside(dir: string, rel: string): Promise<string | null> {
    const full = path.join(dir, ...rel.split('/'));
    if (!full.startsWith(dir + path.sep)) return null;
    const real = await this.paths.resolveInside(full);
    if (!real) return null;
    return readFile(real, 'utf8').catch(() => null);
  }
}

/** `include:` entries (string, `path:` string or list) and `extends: {file}` of every service. */
export function referencedFiles(yaml: string): Array<{ file: string; kind: 'include' | 'extends' }> {
  let doc: unknown;
  try {
    doc = parse(yaml, { merge: true });
  } catch {
    return [];
  }
  if (!doc || typeof doc !== 'object') return [];
  const out: Array<{ file: string; kind: 'include' | 'extends' }> = [];
  const root = doc as Record<string, unknown>;
  if (Array.isArray(root.include)) {
    for (const inc of root.include) {
      const paths =
        typeof inc === 'string'
          ? [inc]
          : inc && typeof inc === 'object'
            ? [(inc as { path?: unknown }).path].flat()
            : [];
      for (const p of paths) if (typeof p === 'string') out.push({ file: p, kind: 'include' });
    }
  }
  const services = root.services;
  if (services && typeof services === 'object') {
    for (const s of Object.values(services as Record<string, unknown>)) {
      const ext = s && typeof s === 'object' ? (s as { extends?: unknown }).extends : undefined;
      const file = ext && typeof ext === 'object' ? (ext as { file?: unknown }).file : undefined;
      if (typeof file === 'string') out.push({ file, kind: 'extends' });
    }
  }
  return out;
}
