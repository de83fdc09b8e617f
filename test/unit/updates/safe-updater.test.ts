import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ActionTerminal } from '../../../server/src/compose/action-terminal.js';
import { ComposeRunner } from '../../../server/src/compose/compose-runner.js';
import { JobStore, type Job } from '../../../server/src/compose/job-store.js';
import { openMemoryDatabase } from '../../../server/src/auth/database.js';
import { silentLogger } from '../../../server/src/logger.js';
import { SafeUpdater, type UpdateOutcome } from '../../../server/src/updates/safe-updater.js';
import type { LocalImage, UpdateContainer, UpdateEngine } from '../../../server/src/updates/update-engine.js';
import { UpdateStore } from '../../../server/src/updates/update-store.js';
import { tempDir } from '../../helpers/factories.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const REF = 'reg.example/app:1';

/**
 * The engine as compose leaves it: `pull` moves the tag to the new image, `up` recreates the
 * service from what the tag (or the rollback override's digest) names, with the health the test sets.
 */
class World implements UpdateEngine, ActionTerminal {
  tagTo = 'old';
  images: Record<string, LocalImage> = {
    old: { id: 'old', repoDigests: [`reg.example/app@${d('1')}`], os: 'linux', architecture: 'amd64' },
    new: { id: 'new', repoDigests: [`reg.example/app@${d('2')}`], os: 'linux', architecture: 'amd64' },
  };
  web: UpdateContainer = this.make('old');
  healthOfNew: string | null = 'unhealthy';
  overrides: string[] = [];
  commands: string[] = [];

  make(imageId: string, health: string | null = null): UpdateContainer {
    return {
      id: `c-${imageId}-${this.commands?.length ?? 0}`,
      service: 'web',
      imageId,
      imageRef: REF,
      state: 'running',
      health,
      exitCode: 0,
      startedAt: new Date(0).toISOString(),
      labels: {},
    };
  }
  containers() {
    return Promise.resolve([this.web]);
  }
  container() {
    return Promise.resolve(this.web);
  }
  image(refOrId: string) {
    return Promise.resolve(this.images[refOrId === REF ? this.tagTo : refOrId] ?? null);
  }
  logs(id: string) {
    return Promise.resolve(`log of ${id}\nhealthcheck failed\n`);
  }
  run(
    _id: string,
    _file: string,
    args: readonly string[],
    o: { onData: (s: string) => void },
  ): Promise<number> {
    const cmd = args.slice(5).join(' ');
    this.commands.push(cmd);
    o.onData(`ran ${cmd}\n`);
    if (cmd.startsWith('pull')) this.tagTo = 'new';
    else if (cmd.includes('rollback')) {
      const file = args.find((a) => a.includes('-rollback-')) ?? '';
      this.overrides.push(readFileSync(file, 'utf8'));
      this.web = this.make('old');
    } else if (cmd.startsWith('up')) this.web = this.make(this.tagTo, this.healthOfNew);
    return Promise.resolve(0);
  }
  note(): void {}
}

async function setup(world: World) {
  const tmp = tempDir('upd-unit-');
  const jobs = new JobStore();
  const runner = new ComposeRunner({
    compose: { version: () => Promise.resolve('2.26.1') },
    terminal: world,
    jobs,
    log: silentLogger(),
    scratchDir: `${tmp.dir}/scratch`,
  });
  const store = new UpdateStore(openMemoryDatabase());
  const outcomes: UpdateOutcome[] = [];
  const updater = new SafeUpdater(
    {
      runner,
      engine: world,
      stacks: {
        read: () =>
          Promise.resolve({
            info: { composeFile: 'compose.yaml' },
            yaml: `services:\n  web:\n    image: ${REF}\n`,
            env: null,
          }),
        dirOf: () => tmp.dir,
        recordHistory: () => Promise.resolve('20260101T000000000Z-abcdef'),
      },
      store,
      log: silentLogger(),
      workDir: `${tmp.dir}/work`,
      onFinished: (o) => outcomes.push(o),
    },
    { healthTimeoutMs: 2000, settleMs: 0, pollMs: 10 },
  );
  const done = async (job: Job) => {
    await expect.poll(() => jobs.get(job.id)?.state).not.toBe('running');
    await expect.poll(() => outcomes.length).toBe(1);
    return jobs.get(job.id);
  };
  return { updater, store, done, outcomes, cleanup: tmp.cleanup };
}

describe('SafeUpdater', () => {
  it('an unhealthy new container is rolled back by digest through a temporary override file', async () => {
    const world = new World();
    const { updater, store, done, outcomes, cleanup } = await setup(world);
    const job = await done(await updater.start('s', 'ann'));
    expect(job).toMatchObject({ state: 'failed', exitCode: 1 });
    expect(world.commands).toEqual([
      'pull --ignore-buildable web',
      'up -d --no-deps web',
      expect.stringMatching(/^-f compose\.yaml -f \S+\/s-rollback-\d+\.yaml up -d --no-deps web$/),
    ]);
    expect(world.overrides[0]).toContain(`image: reg.example/app@${d('1')}`);
    expect(world.web.imageId).toBe('old');
    expect(job?.output).toContain('healthcheck failed');
    expect(job?.output).toMatch(
      /\[update failed, exit code 1: rolled-back: web: the container is unhealthy\]/,
    );
    expect(outcomes[0]).toMatchObject({
      result: 'rolled-back',
      changes: [{ service: 'web', fromDigest: d('1'), toDigest: d('2') }],
    });
    const [entry] = store.history('s');
    expect(entry).toMatchObject({
      actor: 'ann',
      result: 'rolled-back',
      fileHistoryId: '20260101T000000000Z-abcdef',
    });
    expect(entry?.output).toContain('[update failed');
    cleanup();
  });

  it('a healthy new container is kept; nothing new pulled is "already up to date"', async () => {
    const world = new World();
    world.healthOfNew = 'healthy';
    const first = await setup(world);
    expect(await first.done(await first.updater.start('s', 'ann'))).toMatchObject({ state: 'succeeded' });
    expect(first.outcomes[0]?.result).toBe('updated');
    expect(world.web.imageId).toBe('new');
    first.cleanup();

    const again = await setup(world);
    const job = await again.done(await again.updater.start('s', 'ann'));
    expect(job?.output).toContain('[update done: already up to date]');
    expect(world.commands.filter((c) => c.startsWith('up'))).toHaveLength(1);
    again.cleanup();
  });
});
