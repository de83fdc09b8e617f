import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ImageCheck } from '../../../common/updates';
import { updatesApi } from '../api/updates-api';
import { LOCAL_HOST, stackKey, type StackRef } from '../lib/stack-ref';

/**
 * The last image update checks of each host asked (`local` for the dashboard, a stack's host on
 * its page); stack counts themselves arrive live in each StackSummary.
 */
export const useUpdatesStore = defineStore('updates', () => {
  const byHost = ref(new Map<string, ImageCheck[]>());
  const checking = ref(false);
  /** The local host's checks. */
  const checks = computed(() => byHost.value.get(LOCAL_HOST) ?? []);

  /** Keyed by stackKey({host, name}). */
  const byStack = computed(() => {
    const out = new Map<string, ImageCheck[]>();
    for (const [host, list] of byHost.value)
      for (const c of list) {
        const key = stackKey({ host, name: c.stack });
        out.set(key, [...(out.get(key) ?? []), c]);
      }
    return out;
  });

  async function load(host = LOCAL_HOST): Promise<void> {
    const list = await updatesApi.list(host);
    byHost.value = new Map(byHost.value).set(host, list);
  }

  /** Runs a check (one stack, or all of the local host) and waits for it, polling the check job. */
  async function checkNow(stack?: StackRef): Promise<void> {
    const host = stack?.host ?? LOCAL_HOST;
    checking.value = true;
    try {
      const { jobId } = await updatesApi.check(stack?.name, host);
      for (;;) {
        const job = await updatesApi.checkJob(jobId, host);
        if (job.state !== 'running') break;
        await new Promise((r) => setTimeout(r, 700));
      }
      await load(host);
    } finally {
      checking.value = false;
    }
  }

  return { checks, checking, byStack, load, checkNow };
});
