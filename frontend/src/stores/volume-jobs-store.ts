import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ResourceJob } from '../../../common/resources';
import { resourcesOn } from '../api/resources-api';
import { getSocket } from '../api/socket';
import { hostOf, LOCAL_HOST } from '../lib/stack-ref';

/** Job ids are each host's own: the map is keyed by `<host>/<id>`. */
const keyOf = (host: string, id: string) => `${host}/${id}`;

/**
 * Backup and restore jobs of every host, live from `volume:job` (which names its host when it is
 * not `local`); a job the socket missed is asked for over HTTP.
 */
export const useVolumeJobsStore = defineStore('volume-jobs', () => {
  const jobs = ref(new Map<string, ResourceJob & { host: string }>());
  let listening = false;

  function put(job: ResourceJob, host = hostOf(job)): void {
    const next = new Map(jobs.value);
    next.set(keyOf(host, job.id), { ...job, host });
    jobs.value = next;
  }

  function listen(): void {
    if (listening) return;
    listening = true;
    getSocket().on('volume:job', (job) => put(job));
  }

  /** Tracks a job just started on `host`; resolves when it ends. */
  async function follow(id: string, host = LOCAL_HOST): Promise<ResourceJob> {
    listen();
    const key = keyOf(host, id);
    for (;;) {
      const known = jobs.value.get(key);
      if (known && known.state !== 'running') return known;
      // The socket normally answers first; the poll covers a lost connection.
      await new Promise((r) => setTimeout(r, known ? 2000 : 300));
      const latest = jobs.value.get(key);
      if (!latest || latest.state === 'running') put(await resourcesOn(host).job(id), host);
    }
  }

  /** The running job of a volume of `host`, if any. */
  function runningFor(volume: string, host = LOCAL_HOST): ResourceJob | undefined {
    return [...jobs.value.values()].find(
      (j) => j.host === host && j.volume === volume && j.state === 'running',
    );
  }

  return { jobs, listen, follow, runningFor };
});
