import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { type Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
// @lezer/highlight comes with @codemirror/language (same single copy in node_modules).
import { tags as t } from '@lezer/highlight';

/**
 * The editors' look, built from the page's CSS variables (styles.css) so it follows light and dark
 * without knowing which is active. The `dark` flag only picks CodeMirror's own base-theme fallbacks
 * (merge-view colours, lint panel) for what is not overridden here.
 */

const DARK_QUERY = '(prefers-color-scheme: dark)';

const mono = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

/** `var(--name)` at `percent`% opacity. */
function tint(name: string, percent: number): string {
  return `color-mix(in srgb, var(${name}) ${percent}%, transparent)`;
}

function editorTheme(dark: boolean, fill: boolean): Extension {
  return EditorView.theme(
    {
      '&': {
        ...(fill ? { height: '100%' } : {}),
        color: 'var(--fg)',
        backgroundColor: 'var(--card)',
        fontSize: '0.875rem',
      },
      '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '-2px' },
      '.cm-scroller': { fontFamily: mono, lineHeight: '1.5', ...(fill ? { overflow: 'auto' } : {}) },
      '.cm-content': { caretColor: 'var(--fg)' },
      '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--fg)' },
      '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground, .cm-content ::selection':
        { background: tint('--accent', 28) },
      '.cm-activeLine': { backgroundColor: tint('--accent', 7) },
      '.cm-gutters': {
        backgroundColor: 'var(--card)',
        color: 'var(--muted)',
        border: 'none',
        borderRight: '1px solid var(--border)',
      },
      '.cm-activeLineGutter': { backgroundColor: tint('--accent', 12), color: 'var(--fg)' },
      '.cm-foldPlaceholder': {
        backgroundColor: 'var(--bg)',
        border: '1px solid var(--border)',
        color: 'var(--muted)',
      },
      '.cm-panels': { backgroundColor: 'var(--bg)', color: 'var(--fg)' },
      '.cm-panels.cm-panels-top': { borderBottom: '1px solid var(--border)' },
      '.cm-panels.cm-panels-bottom': { borderTop: '1px solid var(--border)' },
      '.cm-textfield': {
        backgroundColor: 'var(--card)',
        color: 'var(--fg)',
        border: '1px solid var(--border)',
        borderRadius: '4px',
      },
      '.cm-button': {
        backgroundImage: 'none',
        backgroundColor: 'var(--card)',
        color: 'var(--fg)',
        border: '1px solid var(--border)',
        borderRadius: '4px',
      },
      '.cm-tooltip': {
        backgroundColor: 'var(--card)',
        color: 'var(--fg)',
        border: '1px solid var(--border)',
      },
      '.cm-diagnostic-error': { borderLeftColor: 'var(--bad)' },
      '.cm-diagnostic-warning': { borderLeftColor: 'var(--warn)' },
      '.cm-searchMatch': { backgroundColor: tint('--warn', 25), outline: `1px solid ${tint('--warn', 60)}` },
      '.cm-searchMatch.cm-searchMatch-selected': { backgroundColor: tint('--accent', 35) },
      '.cm-selectionMatch': { backgroundColor: tint('--accent', 14) },
      '&.cm-focused .cm-matchingBracket': {
        backgroundColor: tint('--accent', 22),
        outline: `1px solid ${tint('--accent', 60)}`,
      },
      '&.cm-focused .cm-nonmatchingBracket': { backgroundColor: tint('--bad', 25) },
    },
    { dark },
  );
}

const highlightStyle = HighlightStyle.define([
  { tag: [t.propertyName, t.definition(t.propertyName)], color: 'var(--accent)' },
  { tag: [t.string, t.attributeValue], color: 'var(--ok)' },
  { tag: [t.special(t.string), t.labelName, t.typeName, t.special(t.variableName)], color: 'var(--warn)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--warn)' },
  { tag: t.keyword, color: 'var(--accent)', fontWeight: '600' },
  { tag: [t.comment, t.lineComment], color: 'var(--muted)', fontStyle: 'italic' },
  { tag: [t.separator, t.meta, t.operator, t.punctuation], color: 'var(--muted)' },
  { tag: t.invalid, color: 'var(--bad)' },
]);

/**
 * Theme and syntax colours for an editor; `dark` as given by {@link prefersDark}. With `fill` the
 * editor takes its parent's height and scrolls by itself (not inside a merge view, which scrolls
 * both sides together).
 */
export function berthTheme(dark: boolean, { fill = true }: { fill?: boolean } = {}): Extension {
  return [editorTheme(dark, fill), syntaxHighlighting(highlightStyle)];
}

function darkQuery(): MediaQueryList | null {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function'
    ? window.matchMedia(DARK_QUERY)
    : null;
}

/** Whether the page is in dark mode (styles.css switches on the same media query). */
export function prefersDark(): boolean {
  return darkQuery()?.matches ?? false;
}

/** Calls `onChange` when the colour scheme flips; returns the function that stops listening. */
export function watchColorScheme(onChange: (dark: boolean) => void): () => void {
  const query = darkQuery();
  if (!query) return () => {};
  const listener = (event: MediaQueryListEvent): void => onChange(event.matches);
  query.addEventListener('change', listener);
  return () => query.removeEventListener('change', listener);
}
