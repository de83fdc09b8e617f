import { defineAsyncComponent } from 'vue';

// CodeMirror and xterm load on demand, in chunks of their own: the first page stays light.
export const ComposeEditor = defineAsyncComponent(() => import('./editor/ComposeEditor.vue'));
export const DiffView = defineAsyncComponent(() => import('./editor/DiffView.vue'));
export const TerminalView = defineAsyncComponent(() => import('./terminal/TerminalView.vue'));
// uPlot only loads with the first chart.
export const TimeChart = defineAsyncComponent(() => import('./stats/TimeChart.vue'));
export const LogsView = defineAsyncComponent(() => import('./logs/LogsView.vue'));
