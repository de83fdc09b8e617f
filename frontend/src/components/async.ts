import { defineAsyncComponent } from 'vue';

// CodeMirror and xterm load on demand, in chunks of their own: the first page stays light.
export const ComposeEditor = defineAsyncComponent(() => import('./editor/ComposeEditor.vue'));
export const DiffView = defineAsyncComponent(() => import('./editor/DiffView.vue'));
export const TerminalView = defineAsyncComponent(() => import('./terminal/TerminalView.vue'));
export const LogsView = defineAsyncComponent(() => import('./logs/LogsView.vue'));
