import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  visit,
  type Alias,
  type Document,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';

/** What each alias of a document points at; undefined for an anchor not defined before it. */
export type AliasTable = Map<Alias, Node | undefined>;

export interface TreeFacts {
  aliases: AliasTable;
  /** Keys that are numbers, booleans, null or collections: compose refuses them all. */
  badKeys: Node[];
}

/** One pass over the document; `Alias.resolve` would search the whole document on every call. */
export function treeFacts(doc: Document): TreeFacts {
  const anchors = new Map<string, Node>();
  const aliases: AliasTable = new Map();
  const badKeys: Node[] = [];
  visit(doc, {
    Pair(_, pair) {
      const key = pair.key;
      if (
        isNode(key) &&
        !isAlias(key) &&
        !isMergeKey(key) &&
        !(isScalar(key) && typeof key.value === 'string')
      ) {
        badKeys.push(key);
      }
    },
    Node(_, node) {
      if (isAlias(node)) aliases.set(node, anchors.get(node.source));
      else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  return { aliases, badKeys };
}

/** Where a schema finding sits in the YAML tree. `key` is the key of the pair holding `node`, if any. */
export interface Located {
  node: Node;
  key: Node | undefined;
  /** false when the path ran out before its end and `node` is the nearest ancestor found. */
  exact: boolean;
}

/**
 * Follows a path of `toJS()` keys and indexes through the tree. Aliases and `<<` merges are seen
 * through, so a finding inside merged content points at the anchor where it was written.
 */
export function locate(doc: Document, aliases: AliasTable, path: readonly string[]): Located | undefined {
  const root = deref(aliases, doc.contents);
  if (!root) return undefined;
  let here: Located = { node: root, key: undefined, exact: true };
  for (const step of path) {
    const next = child(aliases, here.node, step);
    if (!next) return { ...here, exact: false };
    here = next;
  }
  return here;
}

/** The pair whose key is `name` in `map`, looking into merged maps after the map's own keys. */
export function findPair(aliases: AliasTable, map: YAMLMap, name: string, depth = 0): Pair | undefined {
  const own = map.items.find((p) => !isMergeKey(p.key) && keyText(p.key) === name);
  if (own || depth > 20) return own;
  for (const p of map.items) {
    if (!isMergeKey(p.key)) continue;
    for (const source of mergeSources(aliases, p.value)) {
      const found = findPair(aliases, source, name, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function child(aliases: AliasTable, node: Node, step: string): Located | undefined {
  if (isMap(node)) {
    const pair = findPair(aliases, node, step);
    const value = deref(aliases, pair?.value);
    if (!pair || !isNode(pair.key)) return undefined;
    // A key with no value (`web:`) is null in the data; the key is all there is to point at.
    return { node: value ?? pair.key, key: pair.key, exact: true };
  }
  if (isSeq(node)) {
    const item = deref(aliases, node.items[Number(step)]);
    return item ? { node: item, key: undefined, exact: true } : undefined;
  }
  return undefined;
}

function mergeSources(aliases: AliasTable, value: unknown): YAMLMap[] {
  const v = deref(aliases, value);
  if (isMap(v)) return [v];
  if (isSeq(v)) return v.items.map((it) => deref(aliases, it)).filter((it): it is YAMLMap => isMap(it));
  return [];
}

function deref(aliases: AliasTable, value: unknown): Node | undefined {
  if (isAlias(value)) {
    const target = aliases.get(value);
    return target && !isAlias(target) ? target : undefined;
  }
  return isNode(value) ? value : undefined;
}

function isNode(value: unknown): value is Node {
  return isScalar(value) || isMap(value) || isSeq(value) || isAlias(value);
}

export function isMergeKey(key: unknown): boolean {
  if (!isScalar(key)) return false;
  const v = key.value;
  // With `merge: true` a plain `<<` is parsed to a symbol; a quoted "<<" stays an ordinary key.
  return (typeof v === 'symbol' && v.description === '<<') || (v === '<<' && key.type === 'PLAIN');
}

/** A key as `toJS()` spells it in the plain object it builds. */
function keyText(key: unknown): string | undefined {
  if (!isScalar(key)) return undefined;
  return key.value === null ? '' : String(key.value);
}

/**
 * Start of the innermost node still open at `offset`: for an error at the very end of the text
 * (an unclosed quote or bracket), that is where the unfinished construct began.
 */
export function openedBefore(doc: Document, offset: number): number | undefined {
  let best: number | undefined;
  visit(doc, {
    Node(_, node) {
      const r = node.range;
      if (r && r[0] < offset && r[2] >= offset && (best === undefined || r[0] > best)) best = r[0];
    },
  });
  return best;
}

/** Compose's own tags: `!reset` drops an attribute, `!override` replaces instead of merging. */
export const COMPOSE_TAGS = ['!reset', '!override'];

/** Removes the `!reset` attributes, as compose does before it validates. */
export function dropResets(doc: Document): void {
  visit(doc, {
    Pair(_, pair) {
      return isNode(pair.value) && !isAlias(pair.value) && pair.value.tag === '!reset'
        ? visit.REMOVE
        : undefined;
    },
  });
}
