import type { StackExtraFiles } from '../stacks/stack-files.js';
import type { Handlers } from './route.js';

export function stackFileHandlers(
  files: StackExtraFiles,
): Handlers<'listStackFiles' | 'getStackFile' | 'saveStackFile'> {
  return {
    listStackFiles: async ({ params }) => ({ files: await files.list(params.name) }),
    getStackFile: ({ params }) => files.read(params.name, params.file),
    saveStackFile: ({ params, body }) => files.save(params.name, params.file, body),
  };
}
