import { Router } from 'express';
import { z } from 'zod';
import { SaveStackFileRequest, StackFilePath } from '../../../common/stack-files.js';
import { StackName } from '../../../common/stack.js';
import type { StackExtraFiles } from '../stacks/stack-files.js';
import { route } from './route.js';

const NameParams = z.object({ name: StackName });
const FileParams = z.object({ name: StackName, file: StackFilePath });

export function stackFileRoutes(files: StackExtraFiles): Router {
  const r = Router();
  r.get(
    '/stacks/:name/files',
    route({ params: NameParams }, async ({ params }) => ({ files: await files.list(params.name) })),
  );
  r.get(
    '/stacks/:name/files/:file',
    route({ params: FileParams }, ({ params }) => files.read(params.name, params.file)),
  );
  r.put(
    '/stacks/:name/files/:file',
    route({ params: FileParams, body: SaveStackFileRequest }, ({ params, body }) =>
      files.save(params.name, params.file, body),
    ),
  );
  return r;
}
