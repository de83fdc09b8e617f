import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ResourceJob } from '../../../common/resources';
import { resourcesApi } from '../api/resources-api';
import { getSocket } from '../api/socket';

/** Backup and restore jobs, live from `volume:job`; a job the socket missed is asked for over HTTP. */
export const useVolumeJobsStore = defineStore('volume-jobs', () => {
  const jobs = ref(new Map<string, ResourceJob>());
  let listening = false;

  function put(job: ResourceJob): void {
    const next = new Map(jobs.value);
    next.set(job.id, job);
    jobs.value = next;
  }

  function listen(): void {
    if (listening) return;
    listening = true;
    getSocket().on('volume:job', put);
  }

  /** Tracks a job just started; resolves when it ends. */
  async function follow(id: string): Promise<ResourceJob> {
    listen();
    for (;;) {
      const known = jobs.value.get(id);
      if (known && known.state !== 'running') return known;
      // The socket normally answers first; the poll covers a lost connection.
      await new Promise((r) => setTimeout(r, known ? 2000 : 300));
      const latest = jobs.value.get(id);
      if (!latest || latest.state === 'running') put(await resourcesApi.job(id));
    }
  }

  /** The running job of a volume, if any. */
  function runningFor(volume: string): ResourceJob | undefined {
    return [...jobs.value.values()].find((j) => j.volume === volume && j.state === 'running');
  }

  return { jobs, listen, follow, runningFor };
});
