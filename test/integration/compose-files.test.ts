import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCompose } from '../../server/src/validate/index.js';
import { engineGate } from '../helpers/engine.js';

const hasEngine = await engineGate();

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXAMPLES = path.join(ROOT, 'stacks-example');
const exampleNames = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

interface ComposeVolume {
  type: string;
  source?: string;
  target: string;
}
interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  restart?: string;
  pull_policy?: string;
  ports?: { target: number; published?: string }[];
  volumes?: ComposeVolume[];
  environment?: Record<string, string | null>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
interface ComposeModel {
  name: string;
  services: Record<string, ComposeService>;
}

/**
 * `docker compose config` as a user would run it in the folder (so its .env is read), with the
 * host's BERTH_* and POSTGRES_* variables left out so they cannot change the answer.
 */
function composeConfig(
  file: string,
  project: string,
  extraEnv: Record<string, string> = {},
): Promise<{ model: ComposeModel; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(BERTH_|POSTGRES_)/.test(k)) env[k] = v;
  }
  Object.assign(env, extraEnv);
  const args = ['compose', '-p', project, '-f', file, 'config', '--format', 'json'];
  return new Promise((resolve, reject) => {
    execFile('docker', args, { cwd: path.dirname(file), env, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(
          new Error(`docker compose config rejected ${path.relative(ROOT, file)}:\n${stderr || err.message}`),
        );
        return;
      }
      resolve({ model: JSON.parse(stdout) as ComposeModel, stderr });
    });
  });
}

/** compose prints problems it tolerates (unset variables, obsolete keys) as WARN lines. */
function warnings(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /warn/i.test(l));
}

function firstLines(file: string): [string, string] {
  const [a = '', b = ''] = readFileSync(file, 'utf8').split('\n');
  return [a, b];
}

describe('stacks-example/', () => {
  it('holds at least four example stacks, each with a compose.yaml', () => {
    expect(exampleNames.length).toBeGreaterThanOrEqual(4);
    for (const name of exampleNames) {
      expect(existsSync(path.join(EXAMPLES, name, 'compose.yaml')), name).toBe(true);
    }
  });

  it.each(exampleNames)('%s opens with a one-line comment on what it shows', (name) => {
    const [first, second] = firstLines(path.join(EXAMPLES, name, 'compose.yaml'));
    expect(first).toMatch(/^# \S.{15,}$/);
    expect(second.startsWith('#'), `${name}: the description is one line`).toBe(false);
  });

  it.each(exampleNames)('%s passes Berth’s own validator without a problem', (name) => {
    const yaml = readFileSync(path.join(EXAMPLES, name, 'compose.yaml'), 'utf8');
    expect(validateCompose(yaml).problems).toEqual([]);
  });
});

describe.runIf(hasEngine)('docker compose config on the shipped compose files', () => {
  it.each(exampleNames)('accepts stacks-example/%s without warnings', async (name) => {
    const { model, stderr } = await composeConfig(
      path.join(EXAMPLES, name, 'compose.yaml'),
      `berth-cfg-${name}-${process.pid}`,
    );
    expect(warnings(stderr)).toEqual([]);
    expect(Object.keys(model.services).length).toBeGreaterThan(0);
  });

  it('reads the example credentials of postgres-adminer from its .env', async () => {
    const dir = path.join(EXAMPLES, 'postgres-adminer');
    expect(readFileSync(path.join(dir, '.env'), 'utf8')).toMatch(/^# .*change/im);
    const { model } = await composeConfig(path.join(dir, 'compose.yaml'), `berth-cfg-pg-${process.pid}`);
    const env = model.services.db?.environment ?? {};
    expect(env.POSTGRES_USER).toBeTruthy();
    expect(env.POSTGRES_PASSWORD).toBeTruthy();
  });

  it('includes a stack with a healthcheck and a one-shot init service it waits for', async () => {
    const found: string[] = [];
    for (const name of exampleNames) {
      const { model } = await composeConfig(
        path.join(EXAMPLES, name, 'compose.yaml'),
        `berth-cfg-${name}-${process.pid}`,
      );
      for (const [service, s] of Object.entries(model.services)) {
        const waitsForInit = Object.values(s.depends_on ?? {}).some(
          (d) => d.condition === 'service_completed_successfully',
        );
        if (waitsForInit && s.healthcheck) found.push(`${name}/${service}`);
      }
    }
    expect(found.length).toBeGreaterThan(0);
  });

  it('accepts Berth’s own compose.yaml: socket, same-path stacks, data volume, restart, port', async () => {
    const file = path.join(ROOT, 'compose.yaml');
    expect(validateCompose(readFileSync(file, 'utf8')).problems).toEqual([]);
    const { model, stderr } = await composeConfig(file, `berth-cfg-self-${process.pid}`);
    expect(warnings(stderr)).toEqual([]);
    const berth = model.services.berth;
    expect(berth).toBeDefined();
    if (!berth) return;
    expect(berth.build?.context).toBe(ROOT);
    expect(existsSync(path.join(ROOT, berth.build?.dockerfile ?? 'Dockerfile'))).toBe(true);
    expect(berth.restart).toBe('unless-stopped');
    expect(berth.ports?.map((p) => [p.target, p.published])).toEqual([[5001, '5001']]);
    const binds = (berth.volumes ?? []).filter((v) => v.type === 'bind').map((v) => [v.source, v.target]);
    expect(binds).toContainEqual(['/var/run/docker.sock', '/var/run/docker.sock']);
    expect(binds).toContainEqual(['/opt/stacks', '/opt/stacks']);
    expect(berth.environment?.BERTH_STACKS_DIR).toBe('/opt/stacks');
    const data = (berth.volumes ?? []).find((v) => v.target === '/app/data');
    expect(data?.type).toBe('volume');
  });

  it('keeps the stacks dir at one path inside and outside when BERTH_STACKS_DIR moves it', async () => {
    const { model } = await composeConfig(path.join(ROOT, 'compose.yaml'), `berth-cfg-self-${process.pid}`, {
      BERTH_STACKS_DIR: '/srv/berth-stacks',
    });
    const berth = model.services.berth;
    const binds = (berth?.volumes ?? []).filter((v) => v.type === 'bind').map((v) => [v.source, v.target]);
    expect(binds).toContainEqual(['/srv/berth-stacks', '/srv/berth-stacks']);
    expect(berth?.environment?.BERTH_STACKS_DIR).toBe('/srv/berth-stacks');
  });
});
