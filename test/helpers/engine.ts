import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TEST_IMAGE = 'berth-test/busybox:latest';
export const requireDocker = process.env.BERTH_REQUIRE_DOCKER === '1';

async function probe(): Promise<string | null> {
  try {
    await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 10_000 });
  } catch {
    return 'no Docker engine answers `docker info`';
  }
  try {
    await run('docker', ['compose', 'version'], { timeout: 10_000 });
  } catch {
    return 'the docker compose v2 plugin is missing';
  }
  try {
    await run('docker', ['image', 'inspect', TEST_IMAGE], { timeout: 10_000 });
  } catch {
    return `the test image ${TEST_IMAGE} is missing`;
  }
  return null;
}

let gate: Promise<boolean> | undefined;

/**
 * Decides whether engine tests run. Without an engine they are skipped loudly; with
 * BERTH_REQUIRE_DOCKER=1 (CI) the missing engine is an error that fails the test file.
 * Use at module level: `const hasEngine = await engineGate(); describe.runIf(hasEngine)(...)`.
 */
export function engineGate(): Promise<boolean> {
  gate ??= probe().then((problem) => {
    if (problem === null) return true;
    const hint = 'run `sudo bash test/engine/provision.sh`';
    if (requireDocker) throw new Error(`BERTH_REQUIRE_DOCKER=1 but ${problem}; ${hint}`);
    process.stderr.write(`\n!!! SKIPPING tests that need Docker: ${problem} (${hint}) !!!\n\n`);
    return false;
  });
  return gate;
}

/** Runs a docker CLI command (argv, no shell) and returns trimmed stdout. */
export async function docker(args: string[], cwd?: string): Promise<string> {
  const { stdout } = await run('docker', args, { cwd, timeout: 120_000 });
  return stdout.trim();
}
