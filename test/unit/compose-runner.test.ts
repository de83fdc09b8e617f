import { describe, expect, it } from 'vitest';
import type { ActionTerminal } from '../../server/src/compose/action-terminal.js';
import { COMPOSE_MISSING_MESSAGE, ComposeRunner } from '../../server/src/compose/compose-runner.js';
import { JobStore } from '../../server/src/compose/job-store.js';
import { AppError } from '../../server/src/errors.js';
import { silentLogger } from '../../server/src/logger.js';
import { tempDir } from '../helpers/factories.js';

/** Records each run; each run waits until the test releases it with an exit code. */
class FakeTerminal implements ActionTerminal {
  runs: Array<{ id: string; args: readonly string[]; cwd: string; finish: (code: number) => void }> = [];
  notes: string[] = [];
  envs: NodeJS.ProcessEnv[] = [];
  run(
    id: string,
    _file: string,
    args: readonly string[],
    o: { cwd: string; env: NodeJS.ProcessEnv; onData: (s: string) => void },
  ) {
    this.envs.push(o.env);
    return new Promise<number>((resolve) => {
      o.onData(`ran ${args.join(' ')}\n`);
      this.runs.push({ id, args, cwd: o.cwd, finish: resolve });
    });
  }
  note(_id: string, text: string): void {
    this.notes.push(text);
  }
}

function setup(composeVersion: string | null = '2.26.1', dockerHost?: string) {
  const terminal = new FakeTerminal();
  const jobs = new JobStore();
  const tmp = tempDir();
  const runner = new ComposeRunner({
    compose: { version: () => Promise.resolve(composeVersion) },
    terminal,
    jobs,
    log: silentLogger(),
    scratchDir: tmp.dir + '/scratch',
    dockerHost,
  });
  return { terminal, jobs, runner, cleanup: tmp.cleanup };
}

describe('ComposeRunner', () => {
  it('runs a full docker argv (stack deploy) with the configured DOCKER_HOST', async () => {
    const { terminal, runner, jobs, cleanup } = setup('2.26.1', 'unix:///tmp/other.sock');
    const job = await runner.start('app', 'deploy', [
      { args: [], cwd: '/scratch', docker: ['stack', 'deploy', '-c', '/f.yaml', 'app'] },
    ]);
    await expect.poll(() => terminal.runs.length).toBe(1);
    expect(terminal.runs[0]?.args).toEqual(['stack', 'deploy', '-c', '/f.yaml', 'app']);
    expect(terminal.envs[0]?.DOCKER_HOST).toBe('unix:///tmp/other.sock');
    terminal.runs[0]?.finish(0);
    await expect.poll(() => jobs.get(job.id)?.state).toBe('succeeded');
    expect(jobs.get(job.id)?.output).toContain('$ docker stack deploy -c /f.yaml app');
    cleanup();
  });

  it('runs steps in the stack terminal with -p, one job per stack at a time', async () => {
    const { terminal, runner, jobs, cleanup } = setup();
    const job = await runner.start('web', 'update', [
      { args: ['pull'], cwd: '/stacks/web' },
      { args: ['up', '-d'], cwd: '/stacks/web' },
    ]);
    await expect.poll(() => terminal.runs.length).toBe(1);
    expect(terminal.runs[0]).toMatchObject({
      id: 'stack:web',
      args: ['compose', '-p', 'web', '--progress', 'plain', 'pull'],
    });
    await expect(runner.start('web', 'down', [])).rejects.toMatchObject({ code: 'STACK_BUSY' });
    // Another stack runs in parallel.
    await runner.start('db', 'up', [{ args: ['up', '-d'], cwd: '/stacks/db' }]);
    terminal.runs[0]?.finish(0);
    await expect
      .poll(() => terminal.runs.map((r) => r.args.join(' ')))
      .toContain('compose -p web --progress plain up -d');
    terminal.runs.find((r) => r.args.includes('web') && r.args.includes('up'))?.finish(0);
    await expect.poll(() => jobs.get(job.id)?.state).toBe('succeeded');
    expect(jobs.get(job.id)).toMatchObject({ state: 'succeeded', exitCode: 0 });
    expect(jobs.get(job.id)?.output).toContain('ran compose -p web --progress plain pull');
    expect(runner.isBusy('web')).toBe(false);
    cleanup();
  });

  it('stops at the first failing step and skips the after hook', async () => {
    const { terminal, runner, jobs, cleanup } = setup();
    let after = false;
    const job = await runner.start(
      'web',
      'delete',
      [
        { args: ['down'], cwd: '/x' },
        { args: ['never'], cwd: '/x' },
      ],
      async () => {
        after = true;
      },
    );
    await expect.poll(() => terminal.runs.length).toBe(1);
    terminal.runs[0]?.finish(3);
    await expect.poll(() => jobs.get(job.id)?.state).toBe('failed');
    expect(terminal.runs).toHaveLength(1);
    expect(after).toBe(false);
    expect(jobs.get(job.id)).toMatchObject({ state: 'failed', exitCode: 3 });
    expect(terminal.notes.join('')).toContain('[delete failed, exit code 3]');
    cleanup();
  });

  it('refuses with a clear message naming what to install when compose v2 is missing', async () => {
    const { runner, terminal, cleanup } = setup(null);
    const err = await runner.start('web', 'up', [{ args: ['up'], cwd: '/x' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'COMPOSE_UNAVAILABLE', message: COMPOSE_MISSING_MESSAGE });
    expect(COMPOSE_MISSING_MESSAGE).toMatch(/docker-compose-plugin/);
    expect(terminal.runs).toHaveLength(0);
    cleanup();
  });
});
