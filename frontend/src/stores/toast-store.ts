import { defineStore } from 'pinia';
import { ref } from 'vue';

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  message: string;
}

export const useToastStore = defineStore('toasts', () => {
  const toasts = ref<Toast[]>([]);
  let next = 1;

  function dismiss(id: number): void {
    toasts.value = toasts.value.filter((t) => t.id !== id);
  }

  function show(kind: Toast['kind'], message: string, ms = kind === 'error' ? 8000 : 4000): void {
    const id = next++;
    toasts.value = [...toasts.value.slice(-4), { id, kind, message }];
    setTimeout(() => dismiss(id), ms);
  }

  /** Shows the server's message of a failed request. */
  function error(err: unknown): void {
    show('error', err instanceof Error ? err.message : String(err));
  }

  return { toasts, show, error, dismiss };
});
