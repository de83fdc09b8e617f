import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { docker, TEST_IMAGE } from './engine.js';
import { tempDir } from './factories.js';

/** Stops on SIGTERM within a second, so recreating it is quick. */
const SERVE = ['sh', '-c', "trap 'exit 0' TERM; echo started $(cat /version); while :; do sleep 1; done"];

/**
 * Builds a small image FROM the test image offline: `/version` holds `version`, so every
 * version is a different image. `exits` makes a container that logs a line and exits 3.
 */
export async function buildVersion(tag: string, version: string, exits = false): Promise<string> {
  const dir = tempDir('upd-build-');
  try {
    writeFileSync(path.join(dir.dir, 'version'), `${version}\n`);
    const cmd = exits ? ['sh', '-c', `echo ${version} cannot start: missing config; exit 3`] : SERVE;
    writeFileSync(
      path.join(dir.dir, 'Dockerfile'),
      `FROM ${TEST_IMAGE}\nCOPY version /version\nCMD ${JSON.stringify(cmd)}\n`,
    );
    await docker(['build', '-q', '-t', tag, dir.dir]);
    return await docker(['image', 'inspect', '--format', '{{.Id}}', tag]);
  } finally {
    dir.cleanup();
  }
}

/** Tags and pushes a local image; the pushed manifest digest. */
export async function pushAs(source: string, target: string, dockerConfig?: string): Promise<string> {
  await docker(['tag', source, target]);
  const cfg = dockerConfig ? ['--config', dockerConfig] : [];
  const out = await docker([...cfg, 'push', target]);
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(out)?.[1];
  if (!digest) throw new Error(`no digest in push output: ${out}`);
  return digest;
}

/** Removes local images by reference or id, ignoring the ones already gone. */
export async function removeImages(refs: string[]): Promise<void> {
  for (const r of refs) await docker(['rmi', '-f', r]).catch(() => '');
}
