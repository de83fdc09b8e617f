import { Document, isMap, isScalar, isSeq, parseDocument, Scalar, visit, YAMLMap, type Node } from 'yaml';
import { AppError } from '../errors.js';
import type { ComposeMap } from './service-mapper.js';

export interface ComposeParts {
  services: Array<{ name: string; service: ComposeMap }>;
  volumes: Map<string, ComposeMap | null>;
  networks: Map<string, ComposeMap | null>;
}

/** An existing compose text to add services to, parsed with its comments. */
export interface Target {
  doc: Document.Parsed | Document;
  services: Set<string>;
  containerNames: Set<string>;
  format: { indent: number; indentSeq: boolean };
}

/** Strings YAML 1.1 readers would take for something else (`no`, `on`, `22:22`, `0755`). */
const YAML11_AMBIGUOUS =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.\d*)?|0[0-7_]+|0b[01_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
/** Lists whose entries read best quoted, whatever they hold (`"8080:80"`, `"53/udp"`). */
const QUOTED_LISTS = new Set(['ports', 'expose']);
/** Argument lists written on one line, as in compose's docs (`command: ["npm", "start"]`). */
const FLOW_LISTS = new Set(['command', 'entrypoint', 'test', 'capabilities', 'device_ids']);
const FLOW_MAX = 80;

/** Indentation of an existing text, so added services look like the rest of the file. */
function detectFormat(text: string): Target['format'] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  let indent = 2;
  let indentSeq = true;
  const nested = lines.find((l) => /^ +\S/.test(l));
  if (nested) indent = Math.min(8, (/^ */.exec(nested)?.[0].length ?? 2) || 2);
  for (let i = 0; i + 1 < lines.length; i++) {
    const key = /^( *)[^\s-][^:]*:\s*$/.exec(lines[i] as string);
    const item = /^( *)- /.exec(lines[i + 1] as string);
    if (key && item) {
      indentSeq = (item[1] ?? '').length > (key[1] ?? '').length;
      break;
    }
  }
  return { indent, indentSeq };
}

/** Parses the `into` text; it must be a YAML mapping (an empty text is an empty compose file). */
export function openTarget(text: string): Target {
  const doc = parseDocument(text);
  const err = doc.errors[0];
  if (err) {
    const at = err.linePos?.[0];
    throw new AppError(
      'INVALID_COMPOSE',
      `the compose text to add to is not valid YAML${at ? ` (line ${at.line}, column ${at.col})` : ''}: ${(err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`,
    );
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    // An empty text or one of comments only: start the mapping, keeping those comments.
    const comment = doc.commentBefore ?? (isScalar(doc.contents) ? doc.contents.commentBefore : undefined);
    const fresh = new Document({});
    fresh.commentBefore = comment ?? null;
    return { doc: fresh, services: new Set(), containerNames: new Set(), format: detectFormat(text) };
  }
  if (!isMap(doc.contents)) {
    throw new AppError(
      'INVALID_COMPOSE',
      'the compose text to add to is not a mapping (it needs a `services:` key)',
    );
  }
  const services = new Set<string>();
  const containerNames = new Set<string>();
  const existing = doc.get('services', true);
  if (existing !== undefined && !(isScalar(existing) && existing.value === null)) {
    if (!isMap(existing))
      throw new AppError('INVALID_COMPOSE', '`services` of the compose text to add to is not a mapping');
    for (const pair of existing.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      services.add(name);
      const cn = isMap(pair.value) ? pair.value.get('container_name') : undefined;
      if (typeof cn === 'string') containerNames.add(cn);
    }
  }
  for (const key of ['volumes', 'networks']) {
    const v = doc.get(key, true);
    if (v !== undefined && !isMap(v) && !(isScalar(v) && v.value === null)) {
      throw new AppError('INVALID_COMPOSE', `\`${key}\` of the compose text to add to is not a mapping`);
    }
  }
  return { doc, services, containerNames, format: detectFormat(text) };
}

function quoteWhereNeeded(node: Node): void {
  visit(node, {
    Pair(_, pair) {
      if (!isScalar(pair.key) || !isSeq(pair.value)) return;
      const key = String(pair.key.value);
      const items: unknown[] = pair.value.items;
      const texts = items.map((i) => (isScalar(i) && typeof i.value === 'string' ? i.value : null));
      const width = texts.reduce<number>((n, t) => n + JSON.stringify(t).length + 2, 0);
      const flow =
        FLOW_LISTS.has(key) && texts.every((t) => t !== null && !t.includes('\n')) && width <= FLOW_MAX;
      if (flow) pair.value.flow = true;
      if (flow || QUOTED_LISTS.has(key)) {
        for (const item of items) {
          if (isScalar(item) && typeof item.value === 'string') item.type = Scalar.QUOTE_DOUBLE;
        }
      }
    },
    Scalar(_, s) {
      if (typeof s.value === 'string' && YAML11_AMBIGUOUS.test(s.value)) s.type = Scalar.QUOTE_DOUBLE;
    },
  });
}

/** A mapping node under `key` of the document's top level, created (or replacing a null) when missing. */
function topMap(doc: Document, key: string): YAMLMap {
  const cur = doc.get(key, true);
  if (isMap(cur)) return cur;
  const fresh = new YAMLMap();
  doc.set(key, fresh);
  return fresh;
}

/** Sets `map[name]` to `value` as a node written the way the converter writes everything. */
function setNode(doc: Document, map: YAMLMap, name: string, value: ComposeMap | null): void {
  const node = doc.createNode(value);
  quoteWhereNeeded(node);
  map.set(doc.createNode(name), node);
}

function addEntries(doc: Document, key: string, entries: Map<string, ComposeMap | null>): void {
  if (entries.size === 0) return;
  const map = topMap(doc, key);
  for (const [name, def] of entries) if (!map.has(name)) setNode(doc, map, name, def);
}

/** Writes the services into the target (or a new document) and returns the YAML text. */
export function writeCompose(parts: ComposeParts, target?: Target): string {
  const doc = target?.doc ?? new Document({});
  const services = topMap(doc, 'services');
  for (const { name, service } of parts.services) setNode(doc, services, name, service);
  addEntries(doc, 'volumes', parts.volumes);
  addEntries(doc, 'networks', parts.networks);
  const format = target?.format ?? { indent: 2, indentSeq: true };
  return doc.toString({ ...format, lineWidth: 0, nullStr: '', flowCollectionPadding: false });
}
