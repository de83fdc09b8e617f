import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The environment of every process Berth starts (compose, shells, the docker CLI): an allow-list,
 * never Berth's own environment. Compose lets the process environment win over a stack's `.env`,
 * so anything passed here would override the stack's own settings, and `${BERTH_ADMIN_PASSWORD}`
 * in a compose file would receive the admin password.
 */
const ALLOWED = new Set([
  'PATH',
  'HOME',
  'LANG',
  'TZ',
  'DOCKER_HOST',
  'DOCKER_CONFIG',
  'DOCKER_CERT_PATH',
  'DOCKER_TLS_VERIFY',
  'DOCKER_CONTEXT',
]);

const allowed = (key: string): boolean => ALLOWED.has(key) || key.startsWith('LC_');

/**
 * The allow-listed part of `source` (Berth's environment by default), less the keys in `omit`
 * (those a stack's `.env` sets: the stack's value always wins).
 */
export function childEnv(
  options: { omit?: Iterable<string>; source?: NodeJS.ProcessEnv } = {},
): NodeJS.ProcessEnv {
  const source = options.source ?? process.env;
  const omit = new Set(options.omit ?? []);
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && allowed(key) && !omit.has(key)) env[key] = value;
  }
  return env;
}

/** The variable names a `.env` file sets (`KEY=...`, `export KEY=...`), as compose reads them. */
export function dotenvKeys(text: string): string[] {
  const keys: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=/.exec(line);
    if (m?.[1]) keys.push(m[1]);
  }
  return keys;
}

/** The environment of a process run for a stack: the allow-list less what its `.env` sets. */
export async function stackChildEnv(dir: string): Promise<NodeJS.ProcessEnv> {
  const dotenv = await readFile(path.join(dir, '.env'), 'utf8').catch(() => '');
  return childEnv({ omit: dotenvKeys(dotenv) });
}
