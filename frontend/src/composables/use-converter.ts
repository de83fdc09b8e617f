import { onScopeDispose, ref, watch } from 'vue';
import type { ConvertResponse } from '../../../common/api';

/** What the converter needs of the server (stacksApi in the app, a fake in tests). */
export interface ConverterApi {
  convert(command: string, into?: string): Promise<ConvertResponse>;
  detail(name: string): Promise<{ yaml: string; etag: string }>;
  create(name: string, yaml: string): Promise<unknown>;
  save(name: string, yaml: string, etag: string): Promise<unknown>;
}

/** Where the converted services go: a new stack, or merged into an existing one's compose file. */
export type ConvertTarget = { kind: 'new'; name: string } | { kind: 'existing'; name: string };

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const statusOf = (err: unknown): number | undefined =>
  (err as { status?: unknown }).status as number | undefined;

/**
 * The converter page's state: the pasted commands, the target, and a preview that is exactly what
 * will be written. For an existing stack the preview is the server's merge into that stack's file,
 * and applying it is a save against the etag the merge was based on, so an edit made on disk in
 * between is never overwritten: it is merged again and shown first.
 */
export function useConverter(api: ConverterApi, options: { debounceMs?: number } = {}) {
  const command = ref('');
  const target = ref<ConvertTarget>({ kind: 'new', name: '' });
  const yaml = ref('');
  const warnings = ref<string[]>([]);
  const error = ref<string | null>(null);
  const converting = ref(false);
  /** The existing stack version the preview was merged into. */
  let base: { name: string; etag: string } | null = null;
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function convert(): Promise<void> {
    clearTimeout(timer);
    const gen = ++generation;
    const text = command.value;
    const t = target.value;
    if (text.trim() === '') {
      yaml.value = '';
      warnings.value = [];
      error.value = null;
      converting.value = false;
      base = null;
      return;
    }
    converting.value = true;
    try {
      const into = t.kind === 'existing' && t.name ? await api.detail(t.name) : null;
      const result = await api.convert(text, into?.yaml);
      // A newer conversion started meanwhile: its answer wins.
      if (gen !== generation) return;
      yaml.value = result.yaml;
      warnings.value = result.warnings;
      error.value = null;
      base = into && t.kind === 'existing' ? { name: t.name, etag: into.etag } : null;
    } catch (err) {
      if (gen !== generation) return;
      yaml.value = '';
      warnings.value = [];
      base = null;
      error.value = messageOf(err);
    } finally {
      if (gen === generation) converting.value = false;
    }
  }

  function schedule(): void {
    clearTimeout(timer);
    timer = setTimeout(() => void convert(), options.debounceMs ?? 400);
  }
  watch(
    [command, () => target.value.kind, () => (target.value.kind === 'existing' ? target.value.name : '')],
    schedule,
  );
  onScopeDispose(() => clearTimeout(timer));

  /**
   * Writes the preview to the target; resolves with the stack's name. On a conflict the preview is
   * merged again into the version now on disk and the error says to check it.
   */
  async function apply(): Promise<string> {
    const t = target.value;
    if (yaml.value.trim() === '') throw new Error('Convert a docker run command first.');
    if (t.kind === 'new') {
      await api.create(t.name, yaml.value);
      return t.name;
    }
    if (!base || base.name !== t.name) {
      await convert();
      if (error.value !== null || !base)
        throw new Error(error.value ?? 'Choose a stack to add the services to.');
    }
    try {
      await api.save(t.name, yaml.value, base.etag);
      return t.name;
    } catch (err) {
      if (statusOf(err) !== 409) throw err;
      await convert();
      throw new Error(
        `"${t.name}" changed on disk meanwhile; the preview now adds the services to its new version. Check it and apply again.`,
      );
    }
  }

  return { command, target, yaml, warnings, error, converting, convert, apply };
}
