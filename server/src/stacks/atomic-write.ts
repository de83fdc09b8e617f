import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Replaces `file` so that a reader (or a crash) sees the old content or the new, never a
 * truncated mix: write a temp file in the same folder, fsync it, rename over, fsync the folder.
 * Renaming over a symlink replaces the link, never the file it pointed at.
 */
export async function writeFileAtomic(file: string, data: string, newFileMode = 0o644): Promise<void> {
  const dir = path.dirname(file);
  let mode = newFileMode;
  try {
    const st = await stat(file);
    if (st.isFile()) mode = st.mode & 0o7777;
  } catch {
    // a new file gets newFileMode
  }
  // Dot-prefixed so the stack watcher and compose ignore it.
  const tmp = path.join(dir, `.${path.basename(file)}.berth-${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}
