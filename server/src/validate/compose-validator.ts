import { Ajv, type ValidateFunction } from 'ajv';
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';
import type { Problem } from '../../../common/stack.js';
import { composeSpecSchema } from './compose-schema.js';
import {
  COMPOSE_TAGS,
  dropResets,
  findPair,
  locate,
  openedBefore,
  treeFacts,
  type AliasTable,
} from './yaml-tree.js';
import { describeSchemaErrors, type SchemaIssue } from './schema-errors.js';
import { semanticIssues, type SemanticContext } from './semantic-rules.js';

/** What is known of the stack around the text; without it, nothing depends on the environment. */
export type ValidateOptions = Partial<SemanticContext>;

export interface ValidationResult {
  problems: Problem[];
  /**
   * false when the text is not well-formed YAML (syntax errors, unknown anchors); the schema is
   * then not checked. Duplicate keys are reported as errors but leave a usable tree.
   */
  parsed: boolean;
}

export const MAX_PROBLEMS = 100;

const NEEDS = 'a mapping with a top-level `services` key';

let validator: ValidateFunction | undefined;

// Compiled on first use, not at import: it takes a few hundred milliseconds startup need not pay.
function schemaValidator(): ValidateFunction {
  validator ??= new Ajv({
    strict: false,
    allErrors: true,
    verbose: true,
    // The vendored schema names an https draft-07 URI Ajv does not know; it needs no checking.
    validateSchema: false,
    logger: false,
  }).compile(composeSpecSchema);
  return validator;
}

/**
 * Compiles the schema now (a few hundred milliseconds) rather than on the first validation;
 * optional, for callers that would rather pay it at startup or when idle.
 */
export function warmUpComposeValidator(): void {
  schemaValidator();
}

/**
 * Checks a compose file as `docker compose config` would before deploying: YAML syntax, the
 * compose-spec schema, then compose's own rules (references, short syntaxes, interpolation). Positions are 1-based, in UTF-16 code units, end exclusive; problems are
 * sorted by position and capped at MAX_PROBLEMS.
 */
export function validateCompose(text: string, options: ValidateOptions = {}): ValidationResult {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, {
    lineCounter: lines,
    uniqueKeys: true,
    merge: true,
    prettyErrors: false,
    // Findings are returned, never printed: the library would otherwise emit process warnings.
    logLevel: 'error',
  });
  const problems: Problem[] = [];
  const report = (severity: Problem['severity'], message: string, start: number, end: number) =>
    problems.push(problemAt(lines, text, severity, message, start, end));

  if (docs.length === 0) {
    // Only comments or nothing at all: compose says "empty compose file".
    for (const e of 'errors' in docs ? docs.errors : []) reportYamlError(report, e, 'error');
    report('error', `the compose file is empty: it must be ${NEEDS}`, 0, lineEnd(text, 0));
    return finish(problems, !('errors' in docs && docs.errors.length > 0));
  }

  // YAML first, for every document: a broken tree would only yield misleading schema findings.
  const trees = docs.map((doc) => checkYaml(doc, text, report));
  if (trees.some((t) => !t.wellFormed)) return finish(problems, false);

  let parsed = true;
  let hasServices = false;
  const documents: { doc: Document.Parsed; aliases: AliasTable; data: unknown }[] = [];
  docs.forEach((doc, i) => {
    const aliases = trees[i]?.aliases ?? new Map();
    const root = doc.contents;
    if (!isMap(root)) {
      const at = lineStart(text, root?.range?.[0] ?? doc.range[0]);
      const message =
        root === null || (isScalar(root) && root.value === null)
          ? `empty YAML document: a compose file must be ${NEEDS}`
          : `the compose file must be ${NEEDS}, not ${kindOf(root)}`;
      report('error', message, ...firstLine(text, at));
      return;
    }
    dropResets(doc);
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (err) {
      // Alias bombs and the like; compose's loader refuses those too.
      report('error', err instanceof Error ? err.message : String(err), ...firstLine(text, root.range[0]));
      parsed = false;
      return;
    }
    const validate = schemaValidator();
    const issues = validate(data) ? [] : describeSchemaErrors(validate.errors ?? [], data);
    if (isMap(root)) documents.push({ doc, aliases, data });
    {
      for (const { issue, start, end, repeats } of placeIssues(doc, aliases, text, issues)) {
        const more =
          repeats > 0 ? ` (and ${repeats} more ${repeats === 1 ? 'place' : 'places'} using this anchor)` : '';
        report(issue.severity, issue.message + more, start, end);
      }
    }
    const record = data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : {};
    if (isNonEmptyMap(record.services) || record.include !== undefined) hasServices = true;
    const version = findPair(aliases, root, 'version');
    if (version && isScalar(version.key) && version.key.range) {
      report('warning', '`version` is obsolete: compose ignores it', ...pair(version.key.range));
    }
  });

  // Compose merges the documents of one file before its own rules apply, and applies them only
  // to a file that passed the schema: on a broken one they would mostly repeat the same typo.
  const schemaClean = problems.every((p) => p.severity !== 'error');
  if (parsed && schemaClean && documents.length > 0) {
    const merged = documents.map((d) => d.data).reduce(mergeDocuments);
    const issues = semanticIssues(merged, { env: options.env, exists: options.exists });
    for (const issue of issues) {
      const home = documents.find((d) => locate(d.doc, d.aliases, issue.path)?.exact) ?? documents[0];
      if (!home) continue;
      const [start, end] = issueRange(home.doc, home.aliases, text, issue);
      report(issue.severity, issue.message, start, end);
    }
  }

  // `config` accepts a file without services but `up` refuses it: worth a warning, not an error.
  if (!hasServices && problems.every((p) => p.severity !== 'error')) {
    const first = docs[0];
    const key =
      first && isMap(first.contents) ? findPair(new Map(), first.contents, 'services')?.key : undefined;
    const [start, end] = isScalar(key) && key.range ? pair(key.range) : firstLine(text, 0);
    report('warning', 'no services defined: `docker compose up` would have nothing to start', start, end);
  }
  return finish(problems, parsed);
}

type Report = (severity: Problem['severity'], message: string, start: number, end: number) => void;

/** Reports what makes the document bad YAML for compose; returns its aliases for later lookups. */
function checkYaml(doc: Document.Parsed, text: string, report: Report) {
  const eof = text.trimEnd().length;
  for (const e of doc.errors) {
    if (e.code === 'DUPLICATE_KEY') {
      reportDuplicateKey(report, doc, e);
      continue;
    }
    // "Missing closing quote" and the like are found at the end of the file; the fix is where
    // the construct was opened.
    const opened = e.pos[0] >= eof ? openedBefore(doc, e.pos[0]) : undefined;
    if (opened === undefined) reportYamlError(report, e, 'error');
    else report('error', e.message, ...firstLine(text, opened));
  }
  for (const w of doc.warnings) {
    const tag = w.code === 'TAG_RESOLVE_FAILED' ? text.slice(w.pos[0], w.pos[1]) : '';
    if (!COMPOSE_TAGS.includes(tag)) reportYamlError(report, w, 'warning');
  }
  let wellFormed = doc.errors.every((e) => e.code === 'DUPLICATE_KEY');

  const { aliases, badKeys } = treeFacts(doc);
  for (const [alias, target] of aliases) {
    if (target || !alias.range) continue;
    report('error', `unknown anchor "${alias.source}" (define it before using it)`, ...pair(alias.range));
    wellFormed = false;
  }
  for (const key of badKeys) {
    if (!key.range) continue;
    const [start, end] = pair(key.range);
    const source = text.slice(start, end);
    const message = isScalar(key)
      ? `key ${source || 'null'} must be a string: quote it (${JSON.stringify(source)})`
      : 'keys must be plain strings, not lists or mappings';
    report('error', message, ...firstLine(text, start, end));
  }
  return { wellFormed, aliases };
}

function reportYamlError(report: Report, e: YAMLError, severity: Problem['severity']) {
  report(severity, e.message, e.pos[0], e.pos[1]);
}

function reportDuplicateKey(report: Report, doc: Document, e: YAMLError) {
  // The error marks one character; point at the whole repeated key instead.
  let key: Node | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === e.pos[0]) {
        key = pair.key;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (isScalar(key) && key.range)
    report('error', `duplicate key "${String(key.value)}"`, key.range[0], key.range[1]);
  else report('error', 'duplicate key', e.pos[0], e.pos[1]);
}

/**
 * Content merged from one anchor into many places fails the schema once per place; each of
 * those findings lands on the same text, so they are reported once with a count.
 */
function placeIssues(doc: Document.Parsed, aliases: AliasTable, text: string, issues: SchemaIssue[]) {
  const placed = new Map<string, { issue: SchemaIssue; start: number; end: number; repeats: number }>();
  for (const issue of issues) {
    const [start, end] = issueRange(doc, aliases, text, issue);
    const id = `${start}:${end}:${issue.severity}:${issue.detail}`;
    const seen = placed.get(id);
    if (seen) seen.repeats++;
    else placed.set(id, { issue, start, end, repeats: 0 });
  }
  return placed.values();
}

function issueRange(
  doc: Document.Parsed,
  aliases: AliasTable,
  text: string,
  issue: SchemaIssue,
): [number, number] {
  const found = locate(doc, aliases, issue.path);
  if (!found) return firstLine(text, doc.range[0]);
  const { node, key, exact } = found;
  if (issue.target === 'key' && exact && key?.range) return pair(key.range);
  // `image:` with nothing after it: the empty value has no text of its own.
  if (isScalar(node) && node.value === null && key?.range) return pair(key.range);
  // A whole mapping or list is too big to underline: use its key, or else its first line.
  if (isMap(node) || isSeq(node)) {
    if (key?.range) return pair(key.range);
    return node.range ? firstLine(text, node.range[0], node.range[1]) : firstLine(text, doc.range[0]);
  }
  if (node.range) return pair(node.range);
  return firstLine(text, doc.range[0]);
}

function problemAt(
  lines: LineCounter,
  text: string,
  severity: Problem['severity'],
  message: string,
  start: number,
  end: number,
): Problem {
  const from = Math.max(0, Math.min(start, text.length));
  // Never an empty range: editors hide zero-width marks.
  const to = Math.max(from + 1, Math.min(end, text.length));
  const a = lines.linePos(from);
  const b = lines.linePos(to);
  return { severity, message, line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
}

function finish(problems: Problem[], parsed: boolean): ValidationResult {
  problems.sort(
    (a, b) =>
      a.line - b.line ||
      a.column - b.column ||
      a.endLine - b.endLine ||
      a.endColumn - b.endColumn ||
      (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1),
  );
  return { problems: problems.slice(0, MAX_PROBLEMS), parsed };
}

/** From `start` to the end of its line (or `limit`), skipping a zero-width span where possible. */
function firstLine(text: string, start: number, limit = text.length): [number, number] {
  return [start, Math.max(start + 1, Math.min(lineEnd(text, start), limit))];
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  const end = nl === -1 ? text.length : nl;
  return end > from && text[end - 1] === '\r' ? end - 1 : end;
}

function pair(range: readonly number[]): [number, number] {
  return [range[0] ?? 0, range[1] ?? range[0] ?? 0];
}

function kindOf(node: unknown): string {
  if (isSeq(node)) return 'a list';
  if (isAlias(node)) return 'an alias';
  if (isScalar(node)) return typeof node.value === 'string' ? 'a string' : `a ${typeof node.value}`;
  return 'a mapping';
}

function mergeDocuments(a: unknown, b: unknown): unknown {
  if (!isPlainRecord(a) || !isPlainRecord(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeDocuments(out[k], v) : v;
  return out;
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isNonEmptyMap(v: unknown): boolean {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0;
}
