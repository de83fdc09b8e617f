import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { runFile } from '../compose/process.js';
import { childEnv, dotenvKeys } from '../lib/child-env.js';

export type RenderResult = { ok: true; yaml: string } | { ok: false; error: string };

/** Renders a stack's compose file with its .env, as `docker stack deploy` should read it. */
export interface StackRenderer {
  render(stack: string, dir: string): Promise<RenderResult>;
}

/**
 * `docker stack deploy` does not read `.env`, so compose itself interpolates: `docker compose
 * config --no-normalize` in the stack folder resolves variables (keeping `$$` escapes, which
 * stack deploy turns into `$`), inlines `env_file` and makes relative paths absolute. What the
 * stack loader refuses of compose's output is then fixed up (see `forStackDeploy`).
 */
export class ComposeConfigRenderer implements StackRenderer {
  constructor(private readonly opts: { dockerBin?: string; dockerHost?: string } = {}) {}

  async render(stack: string, dir: string): Promise<RenderResult> {
    const dotenv = await readFile(path.join(dir, '.env'), 'utf8').catch(() => '');
    const env = childEnv({ omit: dotenvKeys(dotenv) });
    if (this.opts.dockerHost) env.DOCKER_HOST = this.opts.dockerHost;
    const r = await runFile(
      this.opts.dockerBin ?? 'docker',
      ['compose', '-p', stack, 'config', '--no-normalize'],
      {
        cwd: dir,
        env,
        timeoutMs: 30_000,
      },
    );
    if (r.exitCode !== 0)
      return { ok: false, error: r.stderr.trim() || `docker compose config failed (${r.exitCode})` };
    return { ok: true, yaml: forStackDeploy(r.stdout) };
  }
}

/**
 * Compose's rendered file, made acceptable to `docker stack deploy`'s loader: no top-level
 * `name`, published ports as numbers, no `host_ip` (Swarm publishes on every node; preflight
 * says so) and no `bind.create_host_path` (not in the stack schema).
 */
export function forStackDeploy(rendered: string): string {
  const doc: Document = parseDocument(rendered);
  doc.delete('name');
  const services = doc.get('services');
  if (isMap(services)) {
    for (const sp of services.items) {
      if (!isMap(sp.value)) continue;
      const ports = sp.value.get('ports');
      if (isSeq(ports)) {
        for (const p of ports.items) {
          if (!isMap(p)) continue;
          p.delete('host_ip');
          const pub = p.get('published');
          if (typeof pub === 'string' && /^\d+$/.test(pub)) p.set('published', Number(pub));
        }
      }
      const volumes = sp.value.get('volumes');
      if (isSeq(volumes)) {
        for (const v of volumes.items) {
          if (!isMap(v)) continue;
          const bind = v.get('bind');
          if (isMap(bind)) {
            bind.delete('create_host_path');
            if (bind.items.length === 0) v.delete('bind');
          }
        }
      }
    }
  }
  return doc.toString({ lineWidth: 0 });
}
