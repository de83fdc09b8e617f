// Stack scopes: lists of stack names and globs (`*` any run, `?` one character). null = all stacks.

export type StackScope = readonly string[] | null;

/** Whether `name` matches the glob `pattern` (the whole name). */
export function globMatch(pattern: string, name: string): boolean {
  return covers(pattern, name, false);
}

/** Whether a scope lets its holder see and act on the stack `name`. */
export function scopeAllows(scope: StackScope | undefined, name: string): boolean {
  return !scope || scope.some((p) => globMatch(p, name));
}

/**
 * Whether every name the pattern `inner` matches is also matched by `outer`. Read as text,
 * `inner`'s `*` may only be taken by a `*` of `outer`, and its `?` by a `?` or a `*`.
 */
export function patternWithin(inner: string, outer: string): boolean {
  return covers(outer, inner, true);
}

function covers(pattern: string, text: string, textIsPattern: boolean): boolean {
  // Classic two-pointer glob match with backtracking to the last `*`.
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  const single = (pc: string, tc: string): boolean => (pc === '?' ? !textIsPattern || tc !== '*' : pc === tc);
  while (t < text.length) {
    const pc = pattern[p];
    const tc = text[t] ?? '';
    if (pc !== undefined && pc !== '*' && single(pc, tc)) {
      p++;
      t++;
    } else if (pc === '*') {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * The scope of a token limited by its owner's: the token's patterns that lie within the owner's
 * (a pattern the owner's no longer covers drops out); either side null means "no limit there".
 */
export function intersectScopes(token: StackScope, owner: StackScope): StackScope {
  if (owner === null) return token;
  if (token === null) return owner;
  return token.filter((t) => owner.some((o) => patternWithin(t, o)));
}

/** Whether `inner` asks for nothing beyond `outer` (a token's scope against its owner's). */
export function scopeWithin(inner: StackScope, outer: StackScope): boolean {
  if (outer === null) return true;
  if (inner === null) return false;
  return inner.every((i) => outer.some((o) => patternWithin(i, o)));
}
