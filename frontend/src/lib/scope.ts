/** "a, shop-*" → ['a', 'shop-*']; empty → null (every stack). */
export function parseScope(text: string): string[] | null {
  const list = text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length ? list : null;
}

export function scopeText(scope: readonly string[] | null): string {
  return scope ? scope.join(', ') : '';
}
