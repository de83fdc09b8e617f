import { z } from 'zod';
import { Problem } from './stack.js';

/** Compose files of a stack besides its main one that Berth opens in the editor. */
export const StackFileKind = z.enum(['override', 'include', 'extends']);

export const StackFileEntry = z.object({
  /** Relative to the stack folder, `/`-separated. */
  path: z.string(),
  kind: StackFileKind,
  /** false for the override file compose would read, not created yet. */
  exists: z.boolean(),
});
export type StackFileEntry = z.infer<typeof StackFileEntry>;

export const StackFileList = z.object({ files: z.array(StackFileEntry) });
export type StackFileList = z.infer<typeof StackFileList>;

/** A relative path inside a stack folder: no `..`, no absolute path, no hidden levels. */
export const StackFilePath = z
  .string()
  .max(255)
  .regex(/^(?!\.)[A-Za-z0-9_. -]+(?:\/(?!\.)[A-Za-z0-9_. -]+)*$/, 'a file path inside the stack folder');

export const StackFileContent = z.object({
  path: z.string(),
  content: z.string(),
  /** Empty when the file does not exist yet. */
  etag: z.string(),
});
export type StackFileContent = z.infer<typeof StackFileContent>;

export const SaveStackFileRequest = z.object({
  content: z.string().max(1024 * 1024, 'is larger than 1 MiB'),
  /** The etag read; empty to create the file. */
  etag: z.string(),
});
export type SaveStackFileRequest = z.infer<typeof SaveStackFileRequest>;

export const SaveStackFileResponse = z.object({ etag: z.string(), problems: z.array(Problem) });
export type SaveStackFileResponse = z.infer<typeof SaveStackFileResponse>;
