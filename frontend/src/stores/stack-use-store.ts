import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import type { StackUse } from '../../../common/stats';

/**
 * What each stack costs right now, filled only while the dashboard's host subscription runs (the
 * stack list shows it at a glance then, and nothing otherwise).
 */
export const useStackUseStore = defineStore('stack-use', () => {
  const byName = shallowRef(new Map<string, StackUse>());
  function set(list: StackUse[]): void {
    byName.value = new Map(list.map((s) => [s.name, s]));
  }
  function clear(): void {
    byName.value = new Map();
  }
  return { byName, set, clear };
});
