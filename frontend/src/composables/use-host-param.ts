import { computed } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { LOCAL_HOST } from '../lib/stack-ref';

/**
 * The host a page is about, kept in the URL (`?host=<id>`, absent: `local`), so a reload or a
 * shared link keeps it. The stack list's host filter reads the same parameter.
 */
export function useHostParam() {
  const route = useRoute();
  const router = useRouter();
  return computed<string>({
    get: () => (typeof route.query.host === 'string' && route.query.host ? route.query.host : LOCAL_HOST),
    set: (host) =>
      void router.replace({ query: { ...route.query, host: host === LOCAL_HOST ? undefined : host } }),
  });
}
