import { computed, ref, shallowRef } from 'vue';
import type { Problem, StackDetail } from '../../../common/stack';
import { ApiRequestError, call } from '../api/http';
import type { StackRef } from '../lib/stack-ref';
import { isDirty, onDiskChange, resolveConflict, type StackFilesVersion } from '../lib/stack-sync';

/** Load, edit, save (etag), conflicts and changes on disk for one stack. */
export function useStackEditor(stack: () => StackRef) {
  const detail = shallowRef<StackDetail | null>(null);
  const base = shallowRef<StackFilesVersion | null>(null);
  const yaml = ref('');
  const env = ref('');
  const problems = ref<Problem[]>([]);
  const conflict = shallowRef<StackFilesVersion | null>(null);
  const diskChange = shallowRef<StackFilesVersion | null>(null);
  const notice = ref<string | null>(null);
  const saving = ref(false);
  const loadError = ref<string | null>(null);
  const dirty = computed(() => isDirty(base.value, yaml.value, env.value));

  function adopt(v: StackFilesVersion): void {
    base.value = v;
    yaml.value = v.yaml;
    env.value = v.env ?? '';
  }

  async function fetchDetail(): Promise<StackDetail> {
    const { host, name } = stack();
    return call('getStack', { host, params: { name } });
  }

  async function load(): Promise<void> {
    loadError.value = null;
    conflict.value = null;
    diskChange.value = null;
    notice.value = null;
    try {
      const d = await fetchDetail();
      detail.value = d;
      adopt(d);
    } catch (err) {
      detail.value = null;
      base.value = null;
      loadError.value = err instanceof Error ? err.message : String(err);
    }
  }

  async function save(etag = base.value?.etag): Promise<boolean> {
    // One save at a time: a second one would carry the etag the first is replacing.
    if (!base.value || etag === undefined || saving.value) return false;
    saving.value = true;
    const sent = { yaml: yaml.value, env: env.value };
    try {
      const envChanged = sent.env !== (base.value.env ?? '');
      const { host, name } = stack();
      const res = await call('saveStack', {
        host,
        params: { name },
        body: { yaml: sent.yaml, ...(envChanged ? { env: sent.env } : {}), etag },
      });
      base.value = { yaml: sent.yaml, env: envChanged ? sent.env : base.value.env, etag: res.etag };
      problems.value = res.problems;
      conflict.value = null;
      diskChange.value = null;
      return true;
    } catch (err) {
      if (err instanceof ApiRequestError && err.code === 'CONFLICT') {
        const current = (err.details as { current?: StackFilesVersion } | undefined)?.current;
        if (current && current.yaml === sent.yaml && (current.env ?? '') === sent.env) {
          // The disk already holds exactly this text: nothing to resolve.
          base.value = current;
          return true;
        }
        if (current) conflict.value = current;
        return false;
      }
      if (err instanceof ApiRequestError && err.code === 'INVALID_COMPOSE') {
        const p = (err.details as { problems?: Problem[] } | undefined)?.problems;
        if (p) problems.value = p;
      }
      throw err;
    } finally {
      saving.value = false;
    }
  }

  async function resolve(choice: 'mine' | 'theirs'): Promise<void> {
    if (!conflict.value) return;
    const r = resolveConflict(choice, { yaml: yaml.value, env: env.value }, conflict.value);
    base.value = r.base;
    yaml.value = r.yaml;
    env.value = r.env;
    conflict.value = null;
    diskChange.value = null;
    if (r.saveAgain) await save(r.base.etag);
  }

  /** Called when the live list says the stack changed: decides between nothing, reload, notice. */
  async function checkDisk(): Promise<void> {
    let d: StackDetail;
    try {
      d = await fetchDetail();
    } catch {
      return;
    }
    detail.value = d;
    const action = onDiskChange(base.value, dirty.value, d);
    if (action === 'reload') {
      adopt(d);
      notice.value = 'The file changed on disk and was reloaded.';
    } else if (action === 'notify') {
      diskChange.value = d;
      notice.value = 'The file changed on disk while you were editing.';
    }
  }

  /** Drops local edits for the disk version. */
  function takeDisk(): void {
    if (diskChange.value) adopt(diskChange.value);
    diskChange.value = null;
    notice.value = null;
  }

  return {
    detail,
    base,
    yaml,
    env,
    problems,
    conflict,
    diskChange,
    notice,
    saving,
    loadError,
    dirty,
    load,
    save,
    resolve,
    checkDisk,
    takeDisk,
  };
}
