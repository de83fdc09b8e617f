import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackDetail, StackSummary } from '../../common/stack.js';
import { startBerth, waitForJob, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate } from '../helpers/engine.js';

const hasEngine = await engineGate();

const SLEEPER =
  'services:\n  app:\n    image: berth-test/busybox:latest\n    command: sleep 3600\n    stop_signal: SIGKILL\n';

describe.runIf(hasEngine)('every stack folder compose accepts is a stack', () => {
  let t: TestBerth;
  const pid = process.pid;
  const capital = `Val-${pid}.Media`;
  const project = `val-${pid}media`;
  const twin = `val-${pid}-Twin`;
  const twinToo = `VAL-${pid}-twin`;
  const nested = `val-${pid}-group/Jelly Fin`;

  const write = (name: string, yaml = SLEEPER) => {
    const dir = path.join(t.config.stacksDir, ...name.split('/'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'compose.yaml'), yaml);
  };
  const list = async () => (await t.agent.get('/api/stacks').expect(200)).body as StackSummary[];
  const url = (name: string) => `/api/stacks/${encodeURIComponent(name)}`;

  beforeAll(async () => {
    t = await startBerth({ config: { stacksDepth: 2 } });
  });
  afterAll(async () => {
    await docker(['compose', '-p', project, 'down', '--remove-orphans'], t.config.stacksDir).catch(() => '');
    await t.close();
  });

  it('lists a folder with capitals and a dot, with the project name compose would derive', async () => {
    write(capital);
    await expect
      .poll(async () => (await list()).find((s) => s.name === capital))
      .toMatchObject({
        managed: true,
        projectName: project,
        conflicts: [],
      });
  });

  it('deploys it, and its containers show under the folder, not as an unmanaged project', async () => {
    const res = await t.agent.post(`${url(capital)}/up`).expect(202);
    const job = await waitForJob(t.agent, res.body.jobId);
    expect(job).toMatchObject({ state: 'succeeded' });
    expect(job.output).toContain(`docker compose -p ${project} `);
    await expect
      .poll(async () => (await list()).find((s) => s.name === capital)?.status, { timeout: 15_000 })
      .toBe('running');
    const detail = (await t.agent.get(url(capital)).expect(200)).body as StackDetail;
    expect(detail.containers.map((c) => c.service)).toEqual(['app']);
    expect((await list()).some((s) => s.name === project)).toBe(false);
    const down = await t.agent.post(`${url(capital)}/down`).expect(202);
    expect((await waitForJob(t.agent, down.body.jobId)).state).toBe('succeeded');
  });

  it('shows two folders mapping to one project both, each with a conflict warning', async () => {
    write(twin);
    write(twinToo);
    await expect
      .poll(async () =>
        (await list())
          .filter((s) => s.name === twin || s.name === twinToo)
          .map((s) => [s.name, s.projectName, s.conflicts]),
      )
      .toEqual(
        [
          [twinToo, `val-${pid}-twin`, [twin]],
          [twin, `val-${pid}-twin`, [twinToo]],
        ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
      );
  });

  it('finds stacks one level down with BERTH_STACKS_DEPTH=2; names carry the "/"', async () => {
    write(nested);
    await expect
      .poll(async () => (await list()).find((s) => s.name === nested)?.projectName)
      .toBe('jellyfin');
    const detail = (await t.agent.get(url(nested)).expect(200)).body as StackDetail;
    expect(detail.yaml).toBe(SLEEPER);
  });

  it('still refuses names that would leave the stacks dir', async () => {
    for (const bad of ['..', '../etc', 'a/../../etc', '.trash', 'a//b', '/etc']) {
      await t.agent.get(url(bad)).expect(400);
    }
  });
});
