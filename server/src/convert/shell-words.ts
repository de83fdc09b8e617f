import { AppError } from '../errors.js';

/**
 * A POSIX-shell reading of pasted text, enough for `docker run` commands from READMEs:
 * quotes, backslash escapes, `\`-newline continuations, `#` comments, and `;` `&&` `||` `|` `&`
 * and newlines between commands. Nothing is executed: expansions are kept as parts for the
 * converter to decide on (compose interpolation, a value assigned earlier in the paste, ...).
 */

/** Literal text: what the shell passes on, quotes and escapes already removed. */
export interface LiteralPart {
  kind: 'literal';
  text: string;
}

/** `$NAME`, `${NAME}` or `${NAME<op><word>}` with op one of `:-` `-` `:?` `?` `:+` `+`. */
export interface VariablePart {
  kind: 'variable';
  name: string;
  /** Operator and word of `${NAME:-word}` forms, as written (word unexpanded). */
  modifier: string;
  /** How it was written, for messages. */
  source: string;
}

/** `$(...)`, `` `...` ``, `$((...))`, special parameters (`$1`, `$$`) and `${...}` forms compose lacks. */
export interface UnsupportedPart {
  kind: 'unsupported';
  source: string;
  /** The command inside `$(...)` or backticks, trimmed; empty for other forms. */
  command: string;
}

export type WordPart = LiteralPart | VariablePart | UnsupportedPart;

export interface Word {
  parts: WordPart[];
  /** Line (1-based) the word starts on. */
  line: number;
}

export interface ShellCommand {
  words: Word[];
  /** Line (1-based) the command starts on. */
  line: number;
  /** Redirections (`>/dev/null`, `2>&1`) seen and ignored, as written. */
  redirections: string[];
}

export interface ShellText {
  commands: ShellCommand[];
  /** Unquoted `<placeholder>` texts, read as words rather than redirections. */
  placeholders: string[];
  /**
   * Line ends read as continuations that a POSIX shell would not continue: `\ ` or `\ # note`,
   * and Windows' `` ` `` (PowerShell) and `^` (cmd.exe).
   */
  looseContinuations: Array<{ line: number; mark: string }>;
  /** Characters replaced because they were typographic look-alikes (smart quotes, dashes). */
  normalized: string[];
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const SPECIAL = /[0-9@*#?$!-]/;
const LOOSE_CONTINUATION = /\\[ \t]+(?:#[^\n]*)?\n/y;
const PLACEHOLDER = /<[A-Za-z][^<>\s'"]*>/y;
const COMPOSE_MODIFIER = /^(:-|-|:\?|\?|:\+|\+)/;

/** Replaces what word processors and web pages put in place of shell characters. */
function normalize(text: string): { text: string; normalized: string[] } {
  const normalized = new Set<string>();
  const out = text.replace(/\r\n?/g, '\n').replace(/[\u00a0\u2018\u2019\u201c\u201d\u2013\u2014]/g, (c) => {
    switch (c) {
      case '\u00a0':
        return ' ';
      case '\u2018':
      case '\u2019':
        normalized.add(`${c} as '`);
        return "'";
      case '\u201c':
      case '\u201d':
        normalized.add(`${c} as "`);
        return '"';
      default:
        normalized.add(`${c} as --`);
        return '--';
    }
  });
  return { text: out, normalized: [...normalized] };
}

class Reader {
  pos = 0;
  line = 1;
  constructor(readonly text: string) {}

  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  next(): string {
    const c = this.text[this.pos] ?? '';
    this.pos++;
    if (c === '\n') this.line++;
    return c;
  }

  done(): boolean {
    return this.pos >= this.text.length;
  }

  fail(message: string, line = this.line): never {
    throw new AppError('BAD_REQUEST', `line ${line}: ${message}`);
  }
}

class WordBuilder {
  parts: WordPart[] = [];
  /** A word exists once anything, even an empty quote, was read. */
  started = false;

  literal(text: string): void {
    this.started = true;
    const last = this.parts.at(-1);
    if (last?.kind === 'literal') last.text += text;
    else this.parts.push({ kind: 'literal', text });
  }

  part(p: WordPart): void {
    this.started = true;
    this.parts.push(p);
  }
}

/**
 * A command substitution. One that holds only a comment expands to nothing: READMEs use
 * `` `#optional` `` to annotate a line of a multi-line command.
 */
function substitution(w: WordBuilder, source: string, command: string): void {
  if (command === '' || command.startsWith('#')) return;
  w.part({ kind: 'unsupported', source, command });
}

/** Reads from `(` after `$` to the matching `)`, honouring quotes and nesting. */
function readParenthesized(r: Reader, startLine: number): string {
  let depth = 0;
  let out = '';
  while (!r.done()) {
    const c = r.next();
    if (c === '\\') {
      out += c + r.next();
      continue;
    }
    if (c === "'" || c === '"') {
      out += c;
      while (!r.done() && r.peek() !== c) {
        const d = r.next();
        out += d;
        if (d === '\\' && c === '"') out += r.next();
      }
      out += r.next();
      continue;
    }
    if (c === '(') depth++;
    if (c === ')') {
      depth--;
      if (depth === 0) return out;
    }
    out += c;
  }
  return r.fail('unterminated $( command substitution', startLine);
}

/** After a `$`: variable, substitution, or a plain dollar sign. */
function readDollar(r: Reader, w: WordBuilder): void {
  const startLine = r.line;
  const c = r.peek();
  if (c === '(') {
    const body = readParenthesized(r, startLine);
    const source = `$${body})`;
    const arithmetic = body.startsWith('((');
    if (arithmetic) w.part({ kind: 'unsupported', source, command: '' });
    else substitution(w, source, body.slice(1).trim());
    return;
  }
  if (c === '{') {
    const close = r.text.indexOf('}', r.pos);
    if (close < 0) r.fail('unterminated ${ expansion', startLine);
    const inner = r.text.slice(r.pos + 1, close);
    while (r.pos <= close) r.next();
    const source = `\${${inner}}`;
    NAME.lastIndex = 0;
    const m = NAME.exec(inner);
    const rest = m ? inner.slice(m[0].length) : '';
    if (m && (rest === '' || COMPOSE_MODIFIER.test(rest)) && !rest.includes('$(') && !rest.includes('`')) {
      w.part({ kind: 'variable', name: m[0], modifier: rest, source });
    } else {
      w.part({ kind: 'unsupported', source, command: '' });
    }
    return;
  }
  NAME.lastIndex = r.pos;
  const m = NAME.exec(r.text);
  if (m) {
    for (let i = 0; i < m[0].length; i++) r.next();
    w.part({ kind: 'variable', name: m[0], modifier: '', source: `$${m[0]}` });
    return;
  }
  if (c !== '' && SPECIAL.test(c)) {
    r.next();
    w.part({ kind: 'unsupported', source: `$${c}`, command: '' });
    return;
  }
  w.literal('$');
}

function readBacktick(r: Reader, w: WordBuilder): void {
  const startLine = r.line;
  let body = '';
  while (!r.done() && r.peek() !== '`') {
    const c = r.next();
    body += c === '\\' && '`$\\'.includes(r.peek()) ? r.next() : c;
  }
  if (r.done()) r.fail('unterminated ` command substitution', startLine);
  r.next();
  substitution(w, `\`${body}\``, body.trim());
}

function readSingleQuoted(r: Reader, w: WordBuilder): void {
  const startLine = r.line;
  const close = r.text.indexOf("'", r.pos);
  if (close < 0) r.fail("unterminated ' quote", startLine);
  let text = '';
  while (r.pos < close) text += r.next();
  r.next();
  w.literal(text);
}

const ANSI_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  e: '\x1b',
};

function readAnsiQuoted(r: Reader, w: WordBuilder): void {
  const startLine = r.line;
  let text = '';
  while (!r.done() && r.peek() !== "'") {
    const c = r.next();
    if (c === '\\') {
      const e = r.next();
      text += ANSI_ESCAPES[e] ?? `\\${e}`;
    } else text += c;
  }
  if (r.done()) r.fail("unterminated $' quote", startLine);
  r.next();
  w.literal(text);
}

function readDoubleQuoted(r: Reader, w: WordBuilder): void {
  const startLine = r.line;
  w.literal('');
  for (;;) {
    if (r.done()) r.fail('unterminated " quote', startLine);
    const c = r.next();
    if (c === '"') return;
    if (c === '\\') {
      const e = r.peek();
      if (e === '\n') r.next();
      else if ('$`"\\'.includes(e) && e !== '') w.literal(r.next());
      else w.literal('\\');
    } else if (c === '$') readDollar(r, w);
    else if (c === '`') readBacktick(r, w);
    else w.literal(c);
  }
}

/** Splits pasted shell text into simple commands of words. */
export function readShell(input: string): ShellText {
  const { text, normalized } = normalize(input);
  const r = new Reader(text);
  const commands: ShellCommand[] = [];
  const looseContinuations: ShellText['looseContinuations'] = [];
  const placeholders: string[] = [];
  let words: Word[] = [];
  let redirections: string[] = [];
  let commandLine = 1;
  let w = new WordBuilder();
  let wordLine = 1;
  /** Set after a redirection operator: the next word is its target, not an argument. */
  let redirect: string | null = null;

  const endWord = () => {
    if (w.started) {
      if (redirect !== null) {
        redirections.push(redirect + w.parts.map((p) => (p.kind === 'literal' ? p.text : p.source)).join(''));
        redirect = null;
      } else {
        if (words.length === 0) commandLine = wordLine;
        words.push({ parts: w.parts, line: wordLine });
      }
    }
    w = new WordBuilder();
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push({ words, line: commandLine, redirections });
    else if (redirections.length > 0 && commands.length > 0)
      commands.at(-1)?.redirections.push(...redirections);
    words = [];
    redirections = [];
  };

  while (!r.done()) {
    if (!w.started) wordLine = r.line;
    const c = r.peek();
    if (c === '\\' && r.peek(1) === '\n') {
      r.next();
      r.next();
      continue;
    }
    if ((c === '`' || c === '^') && r.peek(1) === '\n' && !w.started) {
      // PowerShell (`) and cmd.exe (^) line continuations, from Windows instructions.
      looseContinuations.push({ line: r.line, mark: c });
      r.next();
      r.next();
      continue;
    }
    if (c === '\\') {
      LOOSE_CONTINUATION.lastIndex = r.pos;
      const loose = LOOSE_CONTINUATION.exec(text);
      if (loose) {
        // `\ # note` at the end of a line is meant as a continuation; a shell would end the command.
        looseContinuations.push({ line: r.line, mark: loose[0].includes('#') ? '\\ # comment' : '\\ ' });
        endWord();
        while (r.pos < LOOSE_CONTINUATION.lastIndex) r.next();
        continue;
      }
    }
    if (c === ' ' || c === '\t') {
      r.next();
      endWord();
      continue;
    }
    if (c === '\n') {
      r.next();
      endCommand();
      continue;
    }
    if (c === '#' && !w.started) {
      while (!r.done() && r.peek() !== '\n') r.next();
      continue;
    }
    if (c === ';' || c === '&' || c === '|' || c === '(' || c === ')') {
      if (c === '&' && r.peek(1) === '>') {
        endWord();
        r.next();
        r.next();
        redirect = '&>';
        continue;
      }
      r.next();
      if ((c === '&' || c === '|' || c === ';') && r.peek() === c) r.next();
      endCommand();
      continue;
    }
    if (c === '<') {
      PLACEHOLDER.lastIndex = r.pos;
      const p = PLACEHOLDER.exec(text);
      if (p) {
        // README placeholders (`-h <HOSTNAME>`); a shell would read a redirection.
        placeholders.push(p[0]);
        while (r.pos < PLACEHOLDER.lastIndex) r.next();
        w.literal(p[0]);
        continue;
      }
    }
    if (c === '>' || c === '<') {
      // A word of digits right before the operator is its file descriptor (`2>&1`).
      let op = '';
      const only = w.parts[0];
      if (w.started && w.parts.length === 1 && only?.kind === 'literal' && /^\d+$/.test(only.text)) {
        op = only.text;
        w = new WordBuilder();
      } else endWord();
      op += r.next();
      if (r.peek() === '>' || r.peek() === '&') op += r.next();
      redirect = op;
      continue;
    }
    r.next();
    if (c === "'") readSingleQuoted(r, w);
    else if (c === '"') readDoubleQuoted(r, w);
    else if (c === '$' && r.peek() === "'") {
      r.next();
      readAnsiQuoted(r, w);
    } else if (c === '$') readDollar(r, w);
    else if (c === '`') readBacktick(r, w);
    else if (c === '\\') {
      const e = r.next();
      w.literal(e);
    } else w.literal(c);
  }
  endCommand();
  return { commands, normalized, looseContinuations, placeholders };
}

/** The word as one literal string when it has no expansion in it, else null. */
export function literalOf(word: Word): string | null {
  let out = '';
  for (const p of word.parts) {
    if (p.kind !== 'literal') return null;
    out += p.text;
  }
  return out;
}

/** How the word was written, roughly (for messages). */
export function sourceOf(word: Word): string {
  return word.parts.map((p) => (p.kind === 'literal' ? p.text : p.source)).join('');
}
