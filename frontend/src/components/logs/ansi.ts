/**
 * A small ANSI SGR parser: text with colour escapes -> segments with inline styles. Only
 * "ESC [ ... m" changes style; every other escape sequence (cursor moves, titles) is dropped.
 * Rendering is by text nodes, never HTML, so a log line cannot inject markup.
 */
export interface AnsiSegment {
  text: string;
  /** CSS declarations, e.g. `color:#c00;font-weight:600`; empty for plain text. */
  style: string;
}

const BASE = ['#000000', '#cd3131', '#0dbc79', '#b58900', '#2472c8', '#bc3fbc', '#11a8cd', '#b0b0b0'];
const BRIGHT = ['#666666', '#f14c4c', '#23d18b', '#d7ba2c', '#3b8eea', '#d670d6', '#29b8db', '#e5e5e5'];

function color256(n: number): string | undefined {
  if (n < 0 || n > 255) return undefined;
  if (n < 8) return BASE[n];
  if (n < 16) return BRIGHT[n - 8];
  if (n < 232) {
    const i = n - 16;
    const v = (c: number) => (c === 0 ? 0 : 55 + c * 40);
    return `rgb(${v(Math.floor(i / 36))},${v(Math.floor(i / 6) % 6)},${v(i % 6)})`;
  }
  const g = 8 + (n - 232) * 10;
  return `rgb(${g},${g},${g})`;
}

interface State {
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
  strike?: boolean;
}

function styleOf(s: State): string {
  const fg = s.inverse ? (s.bg ?? 'var(--log-bg)') : s.fg;
  const bg = s.inverse ? (s.fg ?? 'var(--log-fg)') : s.bg;
  const out: string[] = [];
  if (fg) out.push(`color:${fg}`);
  if (bg) out.push(`background:${bg}`);
  if (s.bold) out.push('font-weight:700');
  if (s.dim) out.push('opacity:.7');
  if (s.italic) out.push('font-style:italic');
  const deco = [s.underline ? 'underline' : '', s.strike ? 'line-through' : ''].filter(Boolean).join(' ');
  if (deco) out.push(`text-decoration:${deco}`);
  return out.join(';');
}

/** Applies the parameters of one SGR sequence; returns the index after those it used. */
function apply(s: State, p: number[]): void {
  for (let i = 0; i < p.length; i++) {
    const n = p[i] ?? 0;
    if (n === 0) {
      for (const k of Object.keys(s)) delete s[k as keyof State];
    } else if (n === 1) s.bold = true;
    else if (n === 2) s.dim = true;
    else if (n === 3) s.italic = true;
    else if (n === 4) s.underline = true;
    else if (n === 7) s.inverse = true;
    else if (n === 9) s.strike = true;
    else if (n === 22) s.bold = s.dim = false;
    else if (n === 23) s.italic = false;
    else if (n === 24) s.underline = false;
    else if (n === 27) s.inverse = false;
    else if (n === 29) s.strike = false;
    else if (n >= 30 && n <= 37) s.fg = BASE[n - 30];
    else if (n === 39) delete s.fg;
    else if (n >= 40 && n <= 47) s.bg = BASE[n - 40];
    else if (n === 49) delete s.bg;
    else if (n >= 90 && n <= 97) s.fg = BRIGHT[n - 90];
    else if (n >= 100 && n <= 107) s.bg = BRIGHT[n - 100];
    else if (n === 38 || n === 48) {
      let c: string | undefined;
      if (p[i + 1] === 5) {
        c = color256(p[i + 2] ?? -1);
        i += 2;
      } else if (p[i + 1] === 2) {
        const [r, g, b] = [p[i + 2] ?? 0, p[i + 3] ?? 0, p[i + 4] ?? 0].map((v) => Math.min(255, v));
        c = `rgb(${r},${g},${b})`;
        i += 4;
      }
      if (n === 38) s.fg = c;
      else s.bg = c;
    }
  }
}

// CSI (params, intermediates, final), OSC (to BEL or ST), and two-byte escapes.
// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b\[([0-9;:?]*)[ -/]*([@-~])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]?/g;

export function parseAnsi(text: string): AnsiSegment[] {
  if (!text.includes('\x1b')) return [{ text, style: '' }];
  const out: AnsiSegment[] = [];
  const state: State = {};
  let style = '';
  let last = 0;
  ESCAPE.lastIndex = 0;
  for (let m = ESCAPE.exec(text); m; m = ESCAPE.exec(text)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), style });
    last = ESCAPE.lastIndex;
    if (m[2] === 'm') {
      apply(
        state,
        (m[1] ?? '').split(/[;:]/).map((v) => (v === '' ? 0 : Number(v))),
      );
      style = styleOf(state);
    }
    if (m[0].length === 0) ESCAPE.lastIndex++;
  }
  if (last < text.length) out.push({ text: text.slice(last), style });
  return out.filter((s) => s.text.length > 0);
}

/** The text without escape sequences (what search matches against). */
export function plainText(text: string): string {
  return text.includes('\x1b') ? text.replace(ESCAPE, '') : text;
}
