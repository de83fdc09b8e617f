/**
 * Compose's variable interpolation (`$VAR`, `${VAR}`, `${VAR:-x}`, `${VAR-x}`, `${VAR:?msg}`,
 * `${VAR?msg}`, `${VAR:+x}`, `${VAR+x}`, `$$`), checked against `docker compose config` 2.26:
 * a `$` followed by anything else stays as it is; a malformed `${...}` is an error.
 */

export interface InterpolationFinding {
  severity: 'error' | 'warning';
  message: string;
}

export interface Interpolated {
  value: string;
  /** true when an unset variable was met and no environment was given: the value is a guess. */
  unknown: boolean;
  findings: InterpolationFinding[];
}

/** The environment compose interpolates with; undefined when it is not known (nothing is reported unset). */
export type Environment = ReadonlyMap<string, string> | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function interpolate(text: string, env: Environment): Interpolated {
  const out: Interpolated = { value: '', unknown: false, findings: [] };
  if (!text.includes('$')) {
    out.value = text;
    return out;
  }
  out.value = expand(text, env, out, text);
  return out;
}

function expand(text: string, env: Environment, out: Interpolated, whole: string): string {
  let result = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c !== '$') {
      result += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      result += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end === -1) {
        invalid(out, whole);
        return result + text.slice(i);
      }
      result += braced(text.slice(i + 2, end), env, out, whole);
      i = end + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1))?.[0];
    if (name) {
      result += lookup(name, env, out);
      i += 1 + name.length;
      continue;
    }
    // `$1`, `x$`: kept literally, as compose does.
    result += '$';
    i++;
  }
  return result;
}

/** Index of the `}` that closes a `${` opened before `from`, counting nested `${`; -1 when none. */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '$') {
      i++;
    } else if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function braced(inner: string, env: Environment, out: Interpolated, whole: string): string {
  const name = NAME.exec(inner)?.[0];
  if (!name) return invalid(out, whole);
  const rest = inner.slice(name.length);
  if (rest === '') return lookup(name, env, out);
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!op) return invalid(out, whole);
  const arg = rest.slice(op.length);
  const value = env?.get(name);
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  if (env === undefined) {
    // Unknown environment: take the default branch so the value can still be checked, but say so.
    out.unknown = true;
    return op.endsWith('-') ? expand(arg, env, out, whole) : '';
  }
  switch (op) {
    case ':-':
      return nonEmpty ? value : expand(arg, env, out, whole);
    case '-':
      return set ? value : expand(arg, env, out, whole);
    case ':?':
    case '?':
      if (op === ':?' ? nonEmpty : set) return value ?? '';
      // The value is unknowable; checking the empty string would only add a misleading finding.
      out.unknown = true;
      out.findings.push({
        severity: 'error',
        message: `required variable ${name} is missing a value${arg ? `: ${expand(arg, env, out, whole)}` : ''}`,
      });
      return '';
    case ':+':
      return nonEmpty ? expand(arg, env, out, whole) : '';
    default:
      return set ? expand(arg, env, out, whole) : '';
  }
}

function lookup(name: string, env: Environment, out: Interpolated): string {
  if (env === undefined) {
    out.unknown = true;
    return '';
  }
  const value = env.get(name);
  if (value !== undefined) return value;
  out.findings.push({
    severity: 'warning',
    message: `variable ${name} is not set: compose uses an empty string (set it in .env or give a default with \${${name}:-...})`,
  });
  return '';
}

function invalid(out: Interpolated, whole: string): string {
  out.findings.push({
    severity: 'error',
    message: `invalid interpolation format in ${JSON.stringify(whole)}: write $$ for a literal $`,
  });
  return '';
}

/**
 * Reads a `.env` file as compose does: `KEY=VALUE`, optional `export `, `#` comments, single
 * quotes literal, double quotes with escapes, unquoted values cut at ` #`; later values may use
 * earlier ones (`${A}`).
 */
export function parseDotEnv(
  text: string,
  base: ReadonlyMap<string, string> = new Map(),
): Map<string, string> {
  const env = new Map<string, string>();
  const scope = new Map(base);
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=\s*(.*))?$/.exec(line);
    if (!m?.[1]) continue;
    const key = m[1];
    const rawValue = m[2];
    if (rawValue === undefined) continue; // `KEY` alone takes the value from the OS environment
    let value: string;
    if (rawValue.startsWith("'")) {
      const end = rawValue.indexOf("'", 1);
      value = end === -1 ? rawValue.slice(1) : rawValue.slice(1, end);
    } else if (rawValue.startsWith('"')) {
      const end = closingQuote(rawValue);
      value = (end === -1 ? rawValue.slice(1) : rawValue.slice(1, end))
        .replace(/\\n/g, '\n')
        .replace(/\\(["\\$])/g, '$1');
      value = interpolate(value, scope).value;
    } else {
      value = rawValue.replace(/\s+#.*$/, '').trim();
      value = interpolate(value, scope).value;
    }
    env.set(key, value);
    scope.set(key, value);
  }
  return env;
}

function closingQuote(s: string): number {
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === '"') return i;
  }
  return -1;
}
