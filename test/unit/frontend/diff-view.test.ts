// @vitest-environment happy-dom
import { EditorView } from '@codemirror/view';
import { mount, type VueWrapper } from '@vue/test-utils';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Component } from 'vue';

// Imported by a computed path, and no DOM globals named below, so the root tsconfig (no DOM lib,
// no .vue) can type-check this file too.
const DIFF_PATH = '../../../frontend/src/components/editor/DiffView.vue';
let DiffView: Component;
beforeAll(async () => {
  DiffView = ((await import(/* @vite-ignore */ DIFF_PATH)) as { default: Component }).default;
});

/** HTMLElement, named without the DOM lib. */
type DomElement = Parameters<typeof EditorView.findFromDOM>[0];

const lines = (n: number, changed = -1): string =>
  Array.from({ length: n }, (_, i) => (i === changed ? `changed${i}: 1` : `key${i}: ${i}`)).join('\n');

let wrapper: VueWrapper | null = null;

afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
});

function views(w: VueWrapper): EditorView[] {
  return w.findAll('.cm-editor').map((e) => {
    const view = EditorView.findFromDOM(e.element as DomElement);
    if (!view) throw new Error('no EditorView');
    return view;
  });
}

describe('DiffView', () => {
  it('shows both texts read-only, labelled, with unchanged stretches collapsed', () => {
    wrapper = mount(DiffView, {
      props: { original: lines(40), modified: lines(40, 20) },
      attachTo: 'body',
    });
    const [a, b] = views(wrapper);
    expect(a?.state.doc.toString()).toBe(lines(40));
    expect(b?.state.doc.toString()).toBe(lines(40, 20));
    expect(a?.state.readOnly).toBe(true);
    expect(b?.state.readOnly).toBe(true);
    expect(wrapper.find('.diff-labels').text()).toBe('On diskYours');
    expect(wrapper.findAll('.cm-content').map((c) => c.attributes('aria-label'))).toEqual([
      'On disk',
      'Yours',
    ]);
    expect(wrapper.findAll('.cm-collapsedLines').length).toBeGreaterThan(0);
  });

  it('follows prop changes and destroys its editors on unmount', async () => {
    wrapper = mount(DiffView, {
      props: { original: 'a: 1\n', modified: 'a: 2\n', originalLabel: 'Saved', modifiedLabel: 'Current' },
      attachTo: 'body',
    });
    expect(wrapper.find('.diff-labels').text()).toBe('SavedCurrent');
    await wrapper.setProps({ modified: 'a: 3\n' });
    const [a, b] = views(wrapper);
    expect(wrapper.findAll('.cm-editor')).toHaveLength(2);
    expect(a?.state.doc.toString()).toBe('a: 1\n');
    expect(b?.state.doc.toString()).toBe('a: 3\n');
    const dom = wrapper.find('.cm-mergeView').element;
    wrapper.unmount();
    wrapper = null;
    expect(dom.isConnected).toBe(false);
    expect(dom.ownerDocument.querySelector('.cm-editor')).toBeNull();
  });
});
