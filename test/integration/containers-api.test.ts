import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerDetail } from '../../common/resources.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate, TEST_IMAGE } from '../helpers/engine.js';

const hasEngine = await engineGate();
const NAME = `res-${process.pid}-single`;
const VOL = `res-${process.pid}-cvol`;

describe.runIf(hasEngine)('single containers (real engine)', () => {
  let t: TestBerth;

  beforeAll(async () => {
    t = await startBerth();
    await docker([
      'run',
      '-d',
      '--name',
      NAME,
      '--network',
      'none',
      '--restart',
      'on-failure:3',
      '-e',
      'API_TOKEN=s3cret',
      '-e',
      'MODE=test',
      '-v',
      `${VOL}:/data:ro`,
      '--health-cmd',
      'true',
      '--health-interval',
      '1s',
      TEST_IMAGE,
      'sleep',
      '3600',
    ]);
  }, 60_000);

  afterAll(async () => {
    await docker(['rm', '-f', NAME]).catch(() => undefined);
    await docker(['volume', 'rm', '-f', VOL]).catch(() => undefined);
    await t?.close();
  });

  it('inspects with the environment masked unless revealed', async () => {
    const masked = (await t.agent.get(`/api/containers/${NAME}`).expect(200)).body as ContainerDetail;
    expect(masked).toMatchObject({
      name: NAME,
      state: 'running',
      envMasked: true,
      restartPolicy: { name: 'on-failure', maximumRetryCount: 3 },
      command: ['sleep', '3600'],
      mounts: [{ type: 'volume', name: VOL, destination: '/data', readOnly: true }],
    });
    expect(masked.env.find((e) => e.name === 'API_TOKEN')).toEqual({ name: 'API_TOKEN', value: null });
    expect(JSON.stringify(masked)).not.toContain('s3cret');
    const shown = (await t.agent.get(`/api/containers/${NAME}?reveal=true`).expect(200))
      .body as ContainerDetail;
    expect(shown.envMasked).toBe(false);
    expect(shown.env.find((e) => e.name === 'API_TOKEN')?.value).toBe('s3cret');
    await expect
      .poll(
        async () =>
          ((await t.agent.get(`/api/containers/${NAME}`)).body as ContainerDetail).health?.log.length ?? 0,
      )
      .toBeGreaterThan(0);
    await t.agent.get('/api/containers/res-no-such-container').expect(404);
  });

  it('stops, starts, restarts, kills and removes', async () => {
    const act = async (action: string, query = '') =>
      (await t.agent.post(`/api/containers/${NAME}/${action}${query}`).expect(200)).body as { state: string };
    expect((await act('stop')).state).toBe('exited');
    await t.agent.post(`/api/containers/${NAME}/kill`).expect(409);
    expect((await act('start')).state).toBe('running');
    expect((await act('restart')).state).toBe('running');
    await t.agent.post(`/api/containers/${NAME}/remove`).expect(409);
    expect((await act('kill')).state).not.toBe('running');
    await act('start');
    expect((await act('remove', '?force=true')).state).toBe('removed');
    await t.agent.post(`/api/containers/${NAME}/start`).expect(404);
    await t.agent.post(`/api/containers/${NAME}/explode`).expect(400);
  });
});
