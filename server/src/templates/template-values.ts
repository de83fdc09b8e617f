import { randomBytes } from 'node:crypto';
import {
  DEFAULT_SECRET_LENGTH,
  type TemplateValues,
  type TemplateVariable,
} from '../../../common/templates.js';
import { AppError } from '../errors.js';

/** 64 URL-safe characters: a random byte's low 6 bits pick one without bias. */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function generateSecret(length = DEFAULT_SECRET_LENGTH, random = randomBytes): string {
  const bytes = random(length);
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[(bytes[i] ?? 0) & 63];
  return out;
}

export interface ResolvedValues {
  /** Variable name -> the text that goes into `.env`. */
  env: Map<string, string>;
  /** Names of the secrets that were generated. */
  generated: string[];
}

interface Issue {
  path: string;
  message: string;
}

function check(v: TemplateVariable, text: string): string | null {
  if (/[\r\n\0]/.test(text)) return 'must be one line';
  switch (v.type) {
    case 'number':
      return /^-?\d+(\.\d+)?$/.test(text) ? null : 'must be a number';
    case 'port': {
      const n = Number(text);
      return /^\d+$/.test(text) && n >= 1 && n <= 65535 ? null : 'must be a port number from 1 to 65535';
    }
    case 'boolean':
      return text === 'true' || text === 'false' ? null : 'must be true or false';
    case 'select':
      return v.options?.some((o) => o.value === text)
        ? null
        : `must be one of ${(v.options ?? []).map((o) => JSON.stringify(o.value)).join(', ')}`;
    case 'path':
      return text.startsWith('/') ? null : 'must be an absolute path (starting with /)';
    default:
      return null;
  }
}

/**
 * The form's values checked against the template's variables: an empty secret is generated, an
 * empty value takes the default, a required one without either is an error. Every bad field is a
 * 400 naming it (`details.issues[].path` = `values.<NAME>`).
 */
export function resolveValues(
  variables: readonly TemplateVariable[],
  values: TemplateValues,
  random = randomBytes,
): ResolvedValues {
  const issues: Issue[] = [];
  const env = new Map<string, string>();
  const generated: string[] = [];
  const known = new Set(variables.map((v) => v.name));
  for (const key of Object.keys(values)) {
    if (!known.has(key))
      issues.push({ path: `values.${key}`, message: 'is not a variable of this template' });
  }
  for (const v of variables) {
    const raw = values[v.name];
    let text = raw === undefined ? '' : String(raw).trim();
    if (text === '' && v.type === 'secret') {
      text = generateSecret(v.length ?? DEFAULT_SECRET_LENGTH, random);
      generated.push(v.name);
    } else if (text === '' && v.default !== undefined) {
      text = v.default;
    }
    if (text === '') {
      if (v.required) issues.push({ path: `values.${v.name}`, message: 'is required' });
      env.set(v.name, '');
      continue;
    }
    const problem = check(v, text);
    if (problem) issues.push({ path: `values.${v.name}`, message: problem });
    else env.set(v.name, text);
  }
  const first = issues[0];
  if (first) {
    throw new AppError('BAD_REQUEST', `invalid value of ${first.path.slice(7)}: ${first.message}`, {
      issues,
    });
  }
  return { env, generated };
}

/** A value as compose's `.env` parser reads it back unchanged. */
export function envQuote(value: string): string {
  if (/^[A-Za-z0-9_./:@,+=%^~-]*$/.test(value)) return value;
  // Single quotes are literal for compose: no escapes, no interpolation.
  if (!value.includes("'")) return `'${value}'`;
  if (value.includes('$') || value.includes('\\')) {
    throw new AppError('BAD_REQUEST', 'a value holding a single quote cannot also hold "$" or "\\"');
  }
  return `"${value.replace(/"/g, '\\"')}"`;
}

/**
 * The new stack's `.env`: the template's `.env.example` with each variable's line set to its
 * value (comments and other lines kept); variables without a line are appended.
 */
export function renderEnv(example: string | null, values: Map<string, string>): string {
  const pending = new Map(values);
  const lines = (example ?? '').split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const out = lines.map((line) => {
    const m = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*=)/.exec(line);
    const key = m?.[2];
    if (!m || key === undefined || !pending.has(key)) return line;
    const value = pending.get(key) ?? '';
    pending.delete(key);
    return `${m[1] ?? ''}${key}=${envQuote(value)}`;
  });
  for (const [key, value] of pending) out.push(`${key}=${envQuote(value)}`);
  return out.length ? `${out.join('\n')}\n` : '';
}

/** A stack's `.env` as a template's `.env.example`: values of secret variables blanked. */
export function exampleFromEnv(env: string, secrets: ReadonlySet<string>): string {
  return env
    .split(/\r?\n/)
    .map((line) => {
      const m = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*=)/.exec(line);
      return m?.[2] !== undefined && secrets.has(m[2]) ? `${m[1] ?? ''}${m[2]}=` : line;
    })
    .join('\n');
}
