import type { Word, WordPart } from './shell-words.js';

/**
 * Turns shell words into compose strings. Compose interpolates `$` in every value, so:
 * literal text has each `$` doubled (`$$`); a variable assigned earlier in the paste is
 * replaced by its value; any other `$VAR` / `${VAR:-x}` stays a compose variable `${VAR...}`
 * (reported, since it now comes from the stack's `.env` or Berth's environment, not the shell);
 * `$(pwd)`, `` `pwd` `` and `$PWD` become `.`, the stack folder compose resolves paths against;
 * other substitutions cannot be run and are kept as literal text (reported).
 */
export class WordExpander {
  /** Shell variables assigned in the paste (`NAME=value` lines, `export NAME=value`), resolved. */
  readonly scope = new Map<string, WordPart[]>();
  /** The subset of `scope` that is exported to programs the paste runs. */
  readonly exported = new Set<string>();
  /** Compose variables left in the output, by name, with how they were written. */
  readonly variables = new Map<string, string>();
  /** Substitutions kept as literal text, as written. */
  readonly unsupported = new Set<string>();
  /** How the current folder was written, when it was turned into `.`. */
  readonly cwd = new Set<string>();

  /** Forgets what the last command's words reported (the paste's own variables stay). */
  startCommand(): void {
    this.variables.clear();
    this.unsupported.clear();
    this.cwd.clear();
  }

  /** Replaces variables the paste assigned by their values. */
  resolve(parts: readonly WordPart[]): WordPart[] {
    const out: WordPart[] = [];
    for (const p of parts) {
      const known = p.kind === 'variable' ? this.scope.get(p.name) : undefined;
      if (p.kind !== 'variable' || known === undefined) {
        out.push(p);
        continue;
      }
      const empty = known.every((k) => k.kind === 'literal' && k.text === '');
      const m = p.modifier;
      if (m.startsWith(':+')) out.push(...(empty ? [] : [literal(m.slice(2))]));
      else if (m.startsWith('+')) out.push(literal(m.slice(1)));
      else if ((m.startsWith(':-') || m.startsWith(':?')) && empty) out.push(p);
      else out.push(...known);
    }
    return out;
  }

  /** Records `NAME=value` as the shell would (value expanded now). */
  assign(name: string, value: readonly WordPart[], exported: boolean): void {
    this.scope.set(name, this.resolve(value));
    if (exported) this.exported.add(name);
  }

  /** The value the shell would pass, for words that decide the parse (program names, options). */
  plain(word: Word): string {
    return this.resolve(word.parts)
      .map((p) => (p.kind === 'literal' ? p.text : p.source))
      .join('');
  }

  /** The value as a compose string (every literal `$` doubled); `resolve` it first. */
  compose(word: Word | readonly WordPart[]): string {
    let out = '';
    for (const p of 'parts' in word ? word.parts : word) {
      if (p.kind === 'literal') {
        out += escapeDollars(p.text);
      } else if (p.kind === 'variable') {
        if (p.name === 'PWD' && p.modifier === '') {
          this.cwd.add(p.source);
          out += '.';
        } else {
          this.variables.set(p.name, p.source);
          out += `\${${p.name}${p.modifier}}`;
        }
      } else if (p.command === 'pwd' || p.command === 'pwd -P') {
        this.cwd.add(p.source);
        out += '.';
      } else {
        this.unsupported.add(p.source);
        out += escapeDollars(p.source);
      }
    }
    return out;
  }
}

export function escapeDollars(text: string): string {
  return text.replace(/\$/g, '$$$$');
}

function literal(text: string): WordPart {
  return { kind: 'literal', text };
}

/** Inline code for a warning, fenced so that backticks inside survive (`` `pwd` ``). */
export function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}
