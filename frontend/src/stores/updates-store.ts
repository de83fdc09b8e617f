import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ImageCheck } from '../../../common/updates';
import { updatesApi } from '../api/updates-api';

/** The last image update checks; stack counts themselves arrive live in each StackSummary. */
export const useUpdatesStore = defineStore('updates', () => {
  const checks = ref<ImageCheck[]>([]);
  const checking = ref(false);

  const byStack = computed(() => {
    const out = new Map<string, ImageCheck[]>();
    for (const c of checks.value) out.set(c.stack, [...(out.get(c.stack) ?? []), c]);
    return out;
  });

  async function load(): Promise<void> {
    checks.value = await updatesApi.list();
  }

  /** Runs a check (one stack or all) and waits for it, polling the check job. */
  async function checkNow(stack?: string): Promise<void> {
    checking.value = true;
    try {
      const { jobId } = await updatesApi.check(stack);
      for (;;) {
        const job = await updatesApi.checkJob(jobId);
        if (job.state !== 'running') break;
        await new Promise((r) => setTimeout(r, 700));
      }
      await load();
    } finally {
      checking.value = false;
    }
  }

  return { checks, checking, byStack, load, checkNow };
});
