import { computed, ref, type Ref } from 'vue';
import type { Permission } from '../../../common/permissions';
import type { StackAction } from '../../../common/api';
import { getSocket } from '../api/socket';
import { stacksApi, waitForJob } from '../api/stacks-api';
import { fromHost, type StackRef } from '../lib/stack-ref';
import { useAuthStore } from '../stores/auth-store';
import { useToastStore } from '../stores/toast-store';

export type PageAction = StackAction | 'delete';

export const STACK_ACTIONS: Array<{ action: PageAction; label: string; confirm?: string }> = [
  { action: 'up', label: 'Deploy' },
  { action: 'stop', label: 'Stop' },
  { action: 'start', label: 'Start' },
  { action: 'restart', label: 'Restart' },
  { action: 'pull', label: 'Pull' },
  { action: 'update', label: 'Update' },
  { action: 'down', label: 'Down', confirm: 'Stop and remove the containers of this stack?' },
  { action: 'delete', label: 'Delete', confirm: 'Take this stack down and move its folder to the trash?' },
];

/** Runs a stack's lifecycle actions; the end is learnt from the stack terminal's exit. */
export function useStackActions(
  stack: () => StackRef,
  opts: { dirty: Ref<boolean>; onDeleted: () => Promise<void> | void },
) {
  const toasts = useToastStore();
  const busyAction = ref<PageAction | null>(null);
  const auth = useAuthStore();
  // Only what the role may do is offered (the server refuses the rest anyway).
  const actions = computed(() =>
    STACK_ACTIONS.filter((a) => auth.can((a.action === 'delete' ? 'edit' : 'operate') satisfies Permission)),
  );

  // The page's terminal view is joined to `stack:<name>` of the stack's host, so its exit
  // reaches this socket.
  function onStackTerminalExit(callback: () => void): () => void {
    const socket = getSocket();
    const { host, name } = stack();
    const terminal = `stack:${name}`;
    const handler = (m: { id: string; host?: string }) => {
      if (m.id === terminal && fromHost(m, host)) callback();
    };
    socket.on('terminal:exit', handler);
    return () => socket.off('terminal:exit', handler);
  }

  async function run(action: PageAction, confirmText?: string): Promise<void> {
    if (confirmText && !window.confirm(confirmText)) return;
    if (
      opts.dirty.value &&
      action !== 'delete' &&
      !window.confirm('There are unsaved changes. Run the saved version?')
    )
      return;
    busyAction.value = action;
    const ref = stack();
    try {
      const { jobId } =
        action === 'delete' ? await stacksApi.remove(ref) : await stacksApi.action(ref, action);
      const job = await waitForJob(ref.host, jobId, { wake: onStackTerminalExit });
      if (job.state === 'failed')
        toasts.show('error', `${action} failed (exit code ${job.exitCode ?? '?'}); see the output.`);
      else if (action === 'delete') {
        toasts.show('success', `${ref.name} was moved to the trash.`);
        await opts.onDeleted();
      }
    } catch (err) {
      toasts.error(err);
    } finally {
      busyAction.value = null;
    }
  }

  const canEdit = computed(() => auth.can('edit'));
  return { busyAction, run, actions, canEdit };
}
