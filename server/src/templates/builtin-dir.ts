import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The example stacks Berth ships, which are its built-in templates: `stacks-example/` of the
 * repository, found from the sources (server/src/templates) and from the build
 * (dist/server/src/templates) alike; the image copies it to /app/stacks-example.
 */
export function defaultBuiltinTemplatesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const up = here.includes(`${path.sep}dist${path.sep}`) ? '../../../..' : '../../..';
  return path.resolve(here, up, 'stacks-example');
}
