// @vitest-environment happy-dom
import { forEachDiagnostic } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Component } from 'vue';
import type { Problem } from '../../../common/stack.js';

// Imported by a computed path, and no DOM globals named below (the document is reached through the
// mounted element), so the root tsconfig (no DOM lib, no .vue) can type-check this file too.
const EDITOR_PATH = '../../../frontend/src/components/editor/ComposeEditor.vue';
let ComposeEditor: Component;
beforeAll(async () => {
  ComposeEditor = ((await import(/* @vite-ignore */ EDITOR_PATH)) as { default: Component }).default;
});

/** HTMLElement, named without the DOM lib. */
type DomElement = Parameters<typeof EditorView.findFromDOM>[0];

interface EditorApi {
  focus(): void;
  revealLine(line: number, column?: number): void;
}

const YAML = 'services:\n  web:\n    image: nginx\n';

let wrapper: VueWrapper | null = null;

afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function mountEditor(props: Record<string, unknown> = {}): VueWrapper {
  wrapper = mount(ComposeEditor, { props: { modelValue: YAML, ...props }, attachTo: 'body' });
  // happy-dom fires `selectionchange` synchronously inside Selection.collapse(); browsers queue it.
  // When CodeMirror writes the DOM selection of a focused editor, that re-enters its update
  // ("Calls to EditorView.update are not allowed while an update is in progress"). Queue it, as
  // browsers do.
  const doc = wrapper.element.ownerDocument;
  const dispatch = doc.dispatchEvent.bind(doc);
  vi.spyOn(doc, 'dispatchEvent').mockImplementation((event) => {
    // (The cast: without the DOM lib, as under the root tsconfig, `event` is unknown.)
    if ((event as { type: string }).type !== 'selectionchange') return dispatch(event);
    queueMicrotask(() => dispatch(event));
    return true;
  });
  return wrapper;
}

function viewOf(w: VueWrapper): EditorView {
  const view = EditorView.findFromDOM(w.get('.cm-editor').element as DomElement);
  if (!view) throw new Error('no EditorView');
  return view;
}

/** A cancelable Ctrl-s keydown (Mod is Ctrl off macOS), built in the editor's window. */
function ctrlS(view: EditorView) {
  const win = view.dom.ownerDocument.defaultView;
  if (!win) throw new Error('no window');
  return new win.KeyboardEvent('keydown', {
    key: 's',
    code: 'KeyS',
    keyCode: 83,
    ctrlKey: true,
    bubbles: true,
    cancelable: true,
  });
}

describe('ComposeEditor', () => {
  it('renders the initial text', () => {
    const w = mountEditor();
    const view = viewOf(w);
    expect(view.state.doc.toString()).toBe(YAML);
    expect(w.find('.cm-content').text()).toContain('image: nginx');
    expect(w.find('.cm-content').attributes('aria-label')).toBe('Compose file');
  });

  it('emits update:modelValue when the text is changed in the editor', () => {
    const w = mountEditor();
    const view = viewOf(w);
    view.dispatch({ changes: { from: view.state.doc.length, insert: '  db:\n' } });
    expect(w.emitted('update:modelValue')).toEqual([[`${YAML}  db:\n`]]);
  });

  it('replaces the text when modelValue changes, keeping the same view and not echoing it back', async () => {
    const w = mountEditor();
    const view = viewOf(w);
    const theirs = 'services:\n  web:\n    image: caddy\n';
    await w.setProps({ modelValue: theirs });
    expect(viewOf(w)).toBe(view);
    expect(view.state.doc.toString()).toBe(theirs);
    expect(w.emitted('update:modelValue')).toBeUndefined();
    // A value equal to the text (after newline normalisation) changes nothing.
    await w.setProps({ modelValue: theirs.replace(/\n/g, '\r\n') });
    expect(view.state.doc.toString()).toBe(theirs);
  });

  it('lints after a pause, emits problems and shows them as diagnostics', async () => {
    vi.useFakeTimers();
    const problems: Problem[] = [
      { severity: 'error', message: 'bad image', line: 3, column: 5, endLine: 3, endColumn: 10 },
    ];
    const lint = vi.fn((_text: string) => Promise.resolve(problems));
    const w = mountEditor({ lint });
    const view = viewOf(w);

    await vi.advanceTimersByTimeAsync(100);
    expect(lint).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(lint).toHaveBeenCalledWith(YAML);
    expect(w.emitted('problems')).toEqual([[problems]]);
    const shown: { from: number; to: number; severity: string; message: string }[] = [];
    forEachDiagnostic(view.state, (d, from, to) =>
      shown.push({ from, to, severity: d.severity, message: d.message }),
    );
    const line3 = view.state.doc.line(3).from;
    expect(shown).toEqual([{ from: line3 + 4, to: line3 + 9, severity: 'error', message: 'bad image' }]);

    // Typing restarts the debounce; one call for the burst.
    lint.mockClear();
    view.dispatch({ changes: { from: 0, insert: '#' } });
    await vi.advanceTimersByTimeAsync(200);
    view.dispatch({ changes: { from: 0, insert: '#' } });
    await vi.advanceTimersByTimeAsync(1000);
    expect(lint).toHaveBeenCalledTimes(1);
    expect(lint).toHaveBeenCalledWith(`##${YAML}`);
  });

  it('drops a lint result for text that has changed meanwhile', async () => {
    vi.useFakeTimers();
    let resolve: (problems: Problem[]) => void = () => {};
    const lint = vi.fn(
      (_text: string) =>
        new Promise<Problem[]>((r) => {
          resolve = r;
        }),
    );
    const w = mountEditor({ lint });
    const view = viewOf(w);
    await vi.advanceTimersByTimeAsync(1000);
    expect(lint).toHaveBeenCalledTimes(1);
    view.dispatch({ changes: { from: 0, insert: '#' } });
    resolve([{ severity: 'warning', message: 'old', line: 1, column: 1, endLine: 1, endColumn: 2 }]);
    await vi.advanceTimersByTimeAsync(0);
    expect(w.emitted('problems')).toBeUndefined();
  });

  it('shows nothing when the lint function fails', async () => {
    vi.useFakeTimers();
    const lint = vi.fn((_text: string) => Promise.reject(new Error('offline')));
    const w = mountEditor({ lint });
    await vi.advanceTimersByTimeAsync(1000);
    expect(lint).toHaveBeenCalledTimes(1);
    expect(w.emitted('problems')).toBeUndefined();
  });

  it('emits save on Mod-s and prevents the browser default', () => {
    const w = mountEditor();
    const view = viewOf(w);
    view.focus();
    const event = ctrlS(view);
    view.contentDOM.dispatchEvent(event);
    expect(w.emitted('save')).toHaveLength(1);
    expect(event.defaultPrevented).toBe(true);
  });

  it('is read-only when asked: no save, no edits from input, marked for assistive tech', async () => {
    const w = mountEditor({ readonly: true, language: 'env', modelValue: 'A=1\n' });
    const view = viewOf(w);
    expect(view.state.readOnly).toBe(true);
    expect(w.find('.cm-content').attributes('aria-readonly')).toBe('true');
    expect(w.find('.cm-content').attributes('aria-label')).toBe('.env file');
    view.focus();
    const event = ctrlS(view);
    view.contentDOM.dispatchEvent(event);
    expect(event.defaultPrevented).toBe(true);
    expect(w.emitted('save')).toBeUndefined();
    await w.setProps({ readonly: false, ariaLabel: 'Environment' });
    expect(view.state.readOnly).toBe(false);
    expect(w.find('.cm-content').attributes('aria-label')).toBe('Environment');
  });

  it('focuses on request', () => {
    const w = mountEditor();
    const view = viewOf(w);
    expect(view.hasFocus).toBe(false);
    (w.vm as unknown as EditorApi).focus();
    expect(view.hasFocus).toBe(true);
  });

  it('reveals a line: cursor at its start, focused; clamped to the document', () => {
    const w = mountEditor();
    const view = viewOf(w);
    const editor = w.vm as unknown as EditorApi;
    editor.revealLine(3);
    expect(view.state.selection.main.head).toBe(view.state.doc.line(3).from);
    expect(view.hasFocus).toBe(true);
    editor.revealLine(2, 3);
    expect(view.state.selection.main.head).toBe(view.state.doc.line(2).from + 2);
    editor.revealLine(99);
    expect(view.state.selection.main.head).toBe(view.state.doc.line(view.state.doc.lines).from);
  });

  it('destroys the view on unmount', () => {
    const w = mountEditor();
    const view = viewOf(w);
    const dom = view.dom;
    expect(dom.isConnected).toBe(true);
    w.unmount();
    wrapper = null;
    expect(dom.isConnected).toBe(false);
    expect(dom.ownerDocument.querySelector('.cm-editor')).toBeNull();
    // A destroyed view ignores further transactions instead of updating a detached DOM.
    expect(() => view.dispatch({ changes: { from: 0, insert: 'x' } })).not.toThrow();
  });
});
