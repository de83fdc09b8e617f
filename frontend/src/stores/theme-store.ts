import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'berth.theme';

/** light / dark / follow the system; stored in localStorage, applied as <html data-theme>. */
export const useThemeStore = defineStore('theme', () => {
  const stored = localStorage.getItem(KEY);
  const choice = ref<ThemeChoice>(stored === 'light' || stored === 'dark' ? stored : 'system');

  function apply(): void {
    const root = document.documentElement;
    if (choice.value === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', choice.value);
  }

  watch(choice, (c) => {
    localStorage.setItem(KEY, c);
    apply();
  });
  apply();

  return { choice };
});
