import { ref } from 'vue';

/**
 * A form's submit: `busy` while it runs, the failure's message in `error`, or handed to
 * `onError` (a toast) instead. Resolves true when the work succeeded.
 */
export function useBusy(onError?: (err: unknown) => void) {
  const busy = ref(false);
  const error = ref<string | null>(null);

  async function run(work: () => Promise<unknown>): Promise<boolean> {
    busy.value = true;
    error.value = null;
    try {
      await work();
      return true;
    } catch (err) {
      if (onError) onError(err);
      else error.value = err instanceof Error ? err.message : String(err);
      return false;
    } finally {
      busy.value = false;
    }
  }

  return { busy, error, run };
}
