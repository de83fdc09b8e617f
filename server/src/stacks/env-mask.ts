/** What a masked `.env` value reads as. */
export const MASK = '••••••';

/**
 * A `.env` text with every value hidden: `KEY=value` becomes `KEY=••••••` (an `export ` prefix is
 * kept), comments and blank lines stay, and any other line (a continuation of a quoted value)
 * becomes the mask alone. Who may not edit a stack may read its keys, never its secrets.
 */
export function maskEnv(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return line;
      const m = /^(\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_.-]*\s*=)/.exec(line);
      return m?.[1] ? `${m[1]}${MASK}` : MASK;
    })
    .join('\n');
}
