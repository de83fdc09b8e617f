import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { HealthResponse } from '../../../common/api';
import { http } from '../api/http';

export const useHealthStore = defineStore('health', () => {
  const health = ref<HealthResponse | null>(null);
  const error = ref<string | null>(null);
  const loading = ref(false);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      health.value = await http.get<HealthResponse>('/api/health');
      error.value = null;
    } catch (err) {
      error.value = err instanceof Error ? err.message : String(err);
    } finally {
      loading.value = false;
    }
  }

  return { health, error, loading, refresh };
});
