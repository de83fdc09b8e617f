import type { ErrorObject } from 'ajv';

/** One schema finding, still in data terms: the YAML side turns `path` into a text range. */
export interface SchemaIssue {
  /** Keys and indexes of the node to point at. */
  path: string[];
  /** `key` points at the key of the last step (unknown keys); `value` at the value. */
  target: 'key' | 'value';
  message: string;
  /** The message without its leading path, to recognise one finding repeated at many paths. */
  detail: string;
  severity: 'error' | 'warning';
}

interface Item {
  at: string;
  keyword: string;
  /** Expected JSON types, for type mismatches (own, or a collapsed oneOf). */
  types: string[];
  error: ErrorObject;
}

/**
 * Lists compose dedupes silently before it validates, so a repeated entry there is harmless
 * (checked against `docker compose config`); anywhere else compose rejects duplicates.
 */
const COMPOSE_DEDUPES = [
  'services.*.annotations',
  'services.*.build.additional_contexts',
  'services.*.build.args',
  'services.*.build.labels',
  'services.*.cap_add',
  'services.*.cap_drop',
  'services.*.deploy.labels',
  'services.*.dns',
  'services.*.dns_opt',
  'services.*.dns_search',
  'services.*.env_file',
  'services.*.environment',
  'services.*.expose',
  'services.*.labels',
  'services.*.links',
  'services.*.networks.*.aliases',
  'services.*.networks.*.link_local_ips',
  'services.*.ports',
  'services.*.profiles',
  'services.*.sysctls',
  'services.*.tmpfs',
  'services.*.volumes',
  'networks.*.labels',
].map((p) => p.split('.'));

const NAME_PATTERN = '^[a-zA-Z0-9._-]+$';

// `$VAR` or `${VAR...}`, but not the `$$` escape.
const INTERPOLATION = /(?:^|[^$])(?:\$\$)*\$[{A-Za-z_]/;

/**
 * Turns Ajv's raw errors (compiled with `allErrors` and `verbose`) into a few readable issues.
 * A failed oneOf/anyOf reports either the errors of the branch whose type the data has (the
 * form the author meant) or, when no branch has that type, one "must be X or Y".
 */
export function describeSchemaErrors(errors: readonly ErrorObject[], data: unknown): SchemaIssue[] {
  const out: Item[] = [];
  for (const error of errors) {
    const item: Item = { at: error.instancePath, keyword: error.keyword, types: typesOf(error), error };
    if (error.keyword !== 'oneOf' && error.keyword !== 'anyOf') {
      out.push(item);
      continue;
    }
    // Ajv appends a failed oneOf's branch errors just before the oneOf error itself.
    let start = out.length;
    while (start > 0 && isUnder(out[start - 1]?.at ?? '', item.at)) start--;
    out.push(...collapse(item, out.splice(start)));
  }

  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const item of out) {
    const segments = parsePointer(item.at);
    // Compose validates after substituting variables but before converting types, so a variable
    // can still satisfy an enum or a pattern, never a non-string type.
    if (item.keyword !== 'type' && isInterpolated(valueAt(data, segments))) continue;
    const issue = render(item, segments, data);
    // Compose reads `include` entries itself and ignores what it does not know: worth a look only.
    if (segments[0] === 'include' && segments.length > 1) issue.severity = 'warning';
    const id = `${issue.path.join('\0')}\0${issue.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    issues.push(issue);
  }
  return issues;
}

function collapse(oneOf: Item, branches: Item[]): Item[] {
  const passing = (oneOf.error.params as { passingSchemas?: unknown }).passingSchemas;
  if (passing != null) return [oneOf];
  const wrongType = (b: Item) => b.keyword === 'type' && b.at === oneOf.at;
  const rest = branches.filter((b) => !wrongType(b));
  if (rest.length > 0) return rest;
  const types = [...new Set(branches.flatMap((b) => b.types))];
  return [{ ...oneOf, keyword: 'type', types }];
}

function render(item: Item, segments: string[], data: unknown): SchemaIssue {
  const label = formatPath(segments, data);
  const prefix = label ? `${label}: ` : '';
  const e = item.error;
  const params = e.params as Record<string, unknown>;
  const value = (detail: string): SchemaIssue => ({
    path: segments,
    target: 'value',
    message: prefix + detail,
    detail,
    severity: 'error',
  });

  switch (item.keyword) {
    case 'type': {
      if (item.types.length === 0) return value('is not valid here');
      const actual = valueAt(data, segments);
      const expected = `must be ${typeList(item.types)}`;
      if (isInterpolated(actual)) return value(`${expected}; ${show(actual)} stays a string here`);
      return value(`${expected}, got ${describeValue(actual)}`);
    }
    case 'additionalProperties':
      return unknownKey(segments, prefix, String(params.additionalProperty), e.parentSchema);
    case 'required':
      return value(`missing required key "${String(params.missingProperty)}"`);
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      return value(`must be one of: ${allowed.map(show).join(', ')}`);
    }
    case 'uniqueItems': {
      const path = [...segments, String(params.j)];
      const harmless = COMPOSE_DEDUPES.some((p) => matches(p, segments));
      const dup = `duplicate item ${show(valueAt(data, path))}`;
      const detail = harmless ? `${dup} (compose keeps one)` : dup;
      return {
        path,
        target: 'value',
        message: prefix + detail,
        detail,
        severity: harmless ? 'warning' : 'error',
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return value(`must be ${String(params.comparison)} ${String(params.limit)}`);
    case 'oneOf':
    case 'anyOf':
      return value('matches more than one of its allowed forms');
    default:
      return value(e.message ?? 'is not valid');
  }
}

function unknownKey(segments: string[], prefix: string, key: string, schema: unknown): SchemaIssue {
  const known = Object.keys(recordOf(recordOf(schema).properties));
  const patterns = Object.keys(recordOf(recordOf(schema).patternProperties)).filter((p) => p !== '^x-');
  let detail: string;
  if (known.length === 0 && patterns.length > 0) {
    // Maps of names (services, networks...): the key is a name the pattern refuses.
    const rule = patterns.includes(NAME_PATTERN) ? ' (letters, digits, ".", "_" and "-" only)' : '';
    detail = `invalid name "${key}"${rule}`;
  } else {
    const hint = closest(key, known);
    detail = `unknown ${segments.length === 0 ? 'top-level ' : ''}key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`;
  }
  return { path: [...segments, key], target: 'key', message: prefix + detail, detail, severity: 'error' };
}

function typesOf(error: ErrorObject): string[] {
  if (error.keyword !== 'type') return [];
  const t = (error.params as { type?: unknown }).type;
  if (Array.isArray(t)) return t.map(String);
  return typeof t === 'string' ? t.split(',') : [];
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  array: 'a list',
  object: 'a mapping',
  null: 'empty',
};

function typeList(types: string[]): string {
  const names = types
    .filter((t) => !(t === 'integer' && types.includes('number')))
    // "empty" reads best last: "a string, a list or empty".
    .sort((a, b) => Number(a === 'null') - Number(b === 'null'))
    .map((t) => TYPE_NAMES[t] ?? t);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1] ?? ''}`;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return 'a string';
  if (typeof v === 'number') return 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return typeof v;
}

function show(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function formatPath(segments: string[], data: unknown): string {
  let out = '';
  let here = data;
  for (const s of segments) {
    if (Array.isArray(here)) out += `[${s}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
    here = step(here, s);
  }
  return out;
}

function valueAt(data: unknown, segments: readonly string[]): unknown {
  let here = data;
  for (const s of segments) here = step(here, s);
  return here;
}

function step(v: unknown, key: string): unknown {
  if (Array.isArray(v)) return v[Number(key)];
  if (v !== null && typeof v === 'object') return (v as Record<string, unknown>)[key];
  return undefined;
}

function isInterpolated(v: unknown): boolean {
  return typeof v === 'string' && INTERPOLATION.test(v);
}

function isUnder(path: string, at: string): boolean {
  return path === at || path.startsWith(`${at}/`);
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function matches(pattern: string[], segments: string[]): boolean {
  return pattern.length === segments.length && pattern.every((p, i) => p === '*' || p === segments[i]);
}

function recordOf(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The known key a typo most likely meant, if one is close enough to suggest. */
function closest(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const k = key.toLowerCase();
  for (const candidate of known) {
    const d = distance(k, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.min(2, Math.floor(key.length / 3)) ? best : undefined;
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
