/** What the editor holds of a stack's files; `etag` says which disk version it is based on. */
export interface StackFilesVersion {
  yaml: string;
  env: string | null;
  etag: string;
}

export function isDirty(base: StackFilesVersion | null, yaml: string, env: string): boolean {
  if (!base) return false;
  return yaml !== base.yaml || env !== (base.env ?? '');
}

/**
 * Another program (or another browser) changed the stack while it is open.
 * - `ignore`: what is on disk is what the editor is based on (our own save, or no real change).
 * - `reload`: nothing unsaved here, take the disk version and say so.
 * - `notify`: unsaved edits here: keep them, tell the user, offer the diff.
 */
export function onDiskChange(
  base: StackFilesVersion | null,
  dirty: boolean,
  disk: StackFilesVersion,
): 'ignore' | 'reload' | 'notify' {
  if (!base || disk.etag === base.etag) return 'ignore';
  return dirty ? 'notify' : 'reload';
}

/** A 409 on save carries the disk version; resolving it gives the next base and texts. */
export function resolveConflict(
  choice: 'mine' | 'theirs',
  mine: { yaml: string; env: string },
  theirs: StackFilesVersion,
): { base: StackFilesVersion; yaml: string; env: string; saveAgain: boolean } {
  if (choice === 'theirs')
    return { base: theirs, yaml: theirs.yaml, env: theirs.env ?? '', saveAgain: false };
  // Keeping mine = saving mine over theirs; theirs is recorded in history by that save.
  return { base: theirs, yaml: mine.yaml, env: mine.env, saveAgain: true };
}
