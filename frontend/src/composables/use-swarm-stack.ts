import { onBeforeUnmount, onMounted, ref, watch } from 'vue';
import type { DeployPreview, SwarmStackDetail } from '../../../common/swarm';
import { getSocket } from '../api/socket';
import { swarmApi } from '../api/swarm-api';
import { fromHost, stackKey, type StackRef } from '../lib/stack-ref';
import { useToastStore } from '../stores/toast-store';

/**
 * A swarm stack's services and tasks, read again whenever the server says they changed
 * (`swarm:changed` / `stack:changed` of this stack), plus the deploy-with-preflight flow.
 */
export function useSwarmStack(stack: () => StackRef) {
  const name = () => stack().name;
  const toasts = useToastStore();
  const detail = ref<SwarmStackDetail | null>(null);
  const preview = ref<DeployPreview | null>(null);
  const busy = ref(false);
  let loading: Promise<void> | null = null;
  let again = false;

  async function load(): Promise<void> {
    // One read in flight; a change during it asks for exactly one more.
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      do {
        again = false;
        try {
          detail.value = await swarmApi.stack(stack());
        } catch (err) {
          toasts.error(err);
        }
      } while (again);
    })().finally(() => (loading = null));
    return loading;
  }

  const onChange = (m: { stack?: string; name?: string; host?: string }) => {
    if ((m.stack ?? m.name) === name() && fromHost(m, stack().host)) void load();
  };

  async function showPreview(): Promise<void> {
    busy.value = true;
    try {
      preview.value = await swarmApi.preview(stack());
    } catch (err) {
      toasts.error(err);
    } finally {
      busy.value = false;
    }
  }

  async function deploy(): Promise<void> {
    const p = preview.value;
    if (!p || p.blocked) return;
    busy.value = true;
    try {
      await swarmApi.deploy(stack(), p.needsConfirm);
      preview.value = null;
      toasts.show('info', `Deploying ${name()} to the swarm; the output is below.`);
    } catch (err) {
      toasts.error(err);
    } finally {
      busy.value = false;
    }
  }

  async function scale(service: string, replicas: number): Promise<void> {
    try {
      await swarmApi.scale(stack(), service, replicas);
      await load();
    } catch (err) {
      toasts.error(err);
    }
  }

  onMounted(() => {
    const s = getSocket();
    s.on('swarm:changed', onChange);
    s.on('stack:changed', onChange);
    void load();
  });
  onBeforeUnmount(() => {
    const s = getSocket();
    s.off('swarm:changed', onChange);
    s.off('stack:changed', onChange);
  });
  watch(
    () => stackKey(stack()),
    () => {
      preview.value = null;
      void load();
    },
  );

  return {
    detail,
    preview,
    busy,
    load,
    showPreview,
    deploy,
    scale,
    cancelPreview: () => (preview.value = null),
  };
}
