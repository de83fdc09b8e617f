import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { HealthResponse } from '../../../common/api';
import { call } from '../api/http';

export const useHealthStore = defineStore('health', () => {
  const health = ref<HealthResponse | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      const reply = await call('getHealth');
      // Signed in, the reply names the engine; the brief form is for strangers.
      health.value = 'docker' in reply ? reply : null;
      error.value = null;
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    } finally {
      loading.value = false;
    }
  }

  return { health, error, loading, refresh };
});
