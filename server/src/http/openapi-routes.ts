import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOpenApiDocument } from './openapi.js';
import type { Handlers } from './route.js';

/** The version in Berth's package.json, found upwards from here (sources, dist or the image). */
export function packageVersion(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file))
      return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? '0.0.0';
    const up = path.dirname(dir);
    if (up === dir) return '0.0.0';
    dir = up;
  }
}

let document: Record<string, unknown> | undefined;

/** GET /api/openapi.json, without a session: it describes the API, not any data. */
export function openApiHandlers(): Handlers<'getOpenApi'> {
  return {
    getOpenApi: () => (document ??= buildOpenApiDocument(packageVersion())) as { openapi: '3.1.0' },
  };
}
