import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SwarmInfo, SwarmStackDetail } from '../../common/swarm.js';
import { startBerth, waitForJob, type TestBerth } from '../helpers/berth.js';
import { engineGate, TEST_IMAGE } from '../helpers/engine.js';
import { connect, connectOutcome, sessionCookie, StackWatch, type ClientSocket } from '../helpers/socket.js';
import { startSwarmEngine, type SwarmTestEngine } from '../helpers/swarm-engine.js';

const hasEngine = await engineGate();
const prefix = `swm-${process.pid}`;

const SLEEPER = `x-berth:
  target: swarm
services:
  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo swarm-hello && sleep \${SLEEP_SECONDS}"]
    environment:
      LITERAL: "$$HOME"
    deploy:
      replicas: \${REPLICAS}
`;

const BROKEN = `x-berth:
  target: swarm
services:
  ok:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
  bad:
    image: berth-test/does-not-exist-${process.pid}:latest
    deploy:
      replicas: 1
`;

// build without image (error), container_name (warning) and a relative bind (warning)
const FLAGGED = `x-berth:
  target: swarm
services:
  app:
    build: ./app
    container_name: app
    volumes:
      - ./data:/data
`;

const WARNINGS_ONLY = `x-berth: {target: swarm}
services:
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    container_name: fixed
    restart: always
`;

describe.runIf(hasEngine)('swarm stacks on a private engine in single-node swarm mode', () => {
  let swarm: SwarmTestEngine;
  let t: TestBerth;
  let socket: ClientSocket;
  let watch: StackWatch;
  const swarmChanged: string[] = [];

  beforeAll(async () => {
    swarm = await startSwarmEngine();
    t = await startBerth({ config: { dockerHost: swarm.engine.host } });
    socket = connect(t.url, { Cookie: await sessionCookie(t) });
    watch = new StackWatch(socket);
    socket.on('swarm:changed', ({ stack }) => swarmChanged.push(stack));
    expect(await connectOutcome(socket)).toBe('connected');
  }, 180_000);
  afterAll(async () => {
    socket?.disconnect();
    await t?.close();
    await swarm?.stop();
  }, 120_000);

  const detail = async (name: string): Promise<SwarmStackDetail> =>
    (await t.agent.get(`/api/stacks/${name}/swarm`).expect(200)).body as SwarmStackDetail;
  const service = async (name: string, svc: string) =>
    (await detail(name)).services.find((s) => s.service === svc);
  /** Waits for a stack status; a miss says what the engine's tasks were doing. */
  const untilStatus = async (name: string, want: string, timeout = 60_000): Promise<void> => {
    try {
      await expect.poll(() => watch.status(name), { timeout }).toBe(want);
    } catch (err) {
      const tasks = await swarm.engine
        .docker(['stack', 'ps', '--no-trunc', name])
        .catch((e: unknown) => String(e));
      throw new Error(`${(err as Error).message}\ntasks of ${name}:\n${tasks}`, { cause: err });
    }
  };

  it('GET /api/swarm: an active manager with its one node', async () => {
    const res = await t.agent.get('/api/swarm').expect(200);
    const info = res.body as SwarmInfo;
    expect(info).toMatchObject({ active: true, manager: true, message: null });
    expect(info.nodes).toHaveLength(1);
    expect(info.nodes[0]).toMatchObject({
      role: 'manager',
      availability: 'active',
      state: 'ready',
      leader: true,
    });
    expect(info.nodes[0]?.engineVersion).toMatch(/^\d+\.\d+/);
  });

  it('deploys 2 replicas with .env rendered first → running 2/2; scaled to 3 → 3 tasks, pushed', async () => {
    const name = `${prefix}-a`;
    const created = await t.agent
      .post('/api/stacks')
      .send({ name, yaml: SLEEPER, env: 'SLEEP_SECONDS=3600\nREPLICAS=2\n' })
      .expect(201);
    expect(created.body).toMatchObject({ target: 'swarm', status: 'down' });

    const preview = await t.agent.get(`/api/stacks/${name}/deploy`).expect(200);
    expect(preview.body).toMatchObject({
      target: 'swarm',
      swarmActive: true,
      blocked: false,
      needsConfirm: false,
      findings: [],
    });
    expect(preview.body.rendered).toContain('echo swarm-hello && sleep 3600');
    expect(preview.body.rendered).toContain('replicas: 2');
    expect(preview.body.rendered).toContain('$$HOME'); // escapes stay for stack deploy's own pass
    expect(preview.body.rendered).not.toMatch(/^name:/m);

    const res = await t.agent.post(`/api/stacks/${name}/deploy`).send({}).expect(202);
    expect(res.body.terminal).toBe(`stack:${name}`);
    const job = await waitForJob(t.agent, res.body.jobId);
    expect(job).toMatchObject({ state: 'succeeded', exitCode: 0 });
    expect(job.output).toContain(`docker stack deploy --with-registry-auth --prune -c`);
    expect(job.output).toContain(`Creating service ${name}_web`);

    await untilStatus(name, 'running');
    // The stack reads running once a task of each service runs; the second replica may come later.
    await expect
      .poll(async () => (await service(name, 'web'))?.tasks.filter((x) => x.state === 'running').length, {
        timeout: 60_000,
      })
      .toBe(2);
    await expect
      .poll(() => service(name, 'web'), { timeout: 30_000 })
      .toMatchObject({ running: 2, desired: 2, mode: 'replicated', image: TEST_IMAGE, lastError: null });
    const web = await service(name, 'web');
    expect(web?.tasks[0]?.node).toBeTruthy();
    // The literal survived both interpolations as `$HOME`.
    const env = await swarm.engine.docker([
      'service',
      'inspect',
      `${name}_web`,
      '--format',
      '{{json .Spec.TaskTemplate.ContainerSpec.Env}}',
    ]);
    expect(env).toContain('LITERAL=$HOME');

    // the service's logs, through the engine's service logs API
    await expect
      .poll(
        async () =>
          (await t.agent.get(`/api/stacks/${name}/services/web/logs?tail=50`).expect(200)).body.text,
        {
          timeout: 30_000,
        },
      )
      .toContain('swarm-hello');
    await t.agent.get(`/api/stacks/${name}/services/nope/logs`).expect(404);

    const pushedBefore = swarmChanged.filter((s) => s === name).length;
    const scaled = await t.agent
      .post(`/api/stacks/${name}/services/web/scale`)
      .send({ replicas: 3 })
      .expect(200);
    expect(scaled.body).toMatchObject({ service: 'web', desired: 3 });
    await expect
      .poll(async () => (await service(name, 'web'))?.tasks.filter((x) => x.state === 'running').length, {
        timeout: 60_000,
      })
      .toBe(3);
    // The service's running count is the engine's own tally, which can trail its task list.
    await expect.poll(async () => (await service(name, 'web'))?.running, { timeout: 30_000 }).toBe(3);
    expect(swarmChanged.filter((s) => s === name).length).toBeGreaterThan(pushedBefore);
    await expect.poll(() => watch.status(name), { timeout: 30_000 }).toBe('running');

    // compose-only actions are refused for a swarm stack
    const refused = await t.agent.post(`/api/stacks/${name}/restart`).expect(409);
    expect(refused.body.error.message).toContain('swarm stack');

    // remove → down
    const down = await t.agent.post(`/api/stacks/${name}/down`).expect(202);
    const downJob = await waitForJob(t.agent, down.body.jobId);
    expect(downJob).toMatchObject({ state: 'succeeded' });
    expect(downJob.output).toContain(`docker stack rm ${name}`);
    await expect.poll(() => watch.status(name), { timeout: 30_000 }).toBe('down');
    expect((await detail(name)).services).toEqual([]);
  });

  it('a service whose image cannot start → partial, with the task error; up deploys a swarm stack', async () => {
    const name = `${prefix}-b`;
    await t.agent.post('/api/stacks').send({ name, yaml: BROKEN }).expect(201);
    const res = await t.agent.post(`/api/stacks/${name}/up`).expect(202);
    expect(await waitForJob(t.agent, res.body.jobId)).toMatchObject({ state: 'succeeded' });
    await untilStatus(name, 'partial');
    await expect
      .poll(async () => (await service(name, 'bad'))?.lastError, { timeout: 60_000 })
      .toMatch(/No such image/i);
    const bad = await service(name, 'bad');
    expect(bad).toMatchObject({ running: 0, desired: 1 });
    expect(await service(name, 'ok')).toMatchObject({ running: 1, desired: 1 });
    const summary = (await t.agent.get('/api/stacks').expect(200)).body.find(
      (s: { name: string }) => s.name === name,
    );
    expect(summary).toMatchObject({ target: 'swarm', status: 'partial' });

    // delete: stack rm, then the folder goes to the trash
    const del = await t.agent.delete(`/api/stacks/${name}`).expect(202);
    const job = await waitForJob(t.agent, del.body.jobId);
    expect(job.output).toContain(`docker stack rm ${name}`);
    expect(job.output).toContain(`moved ${name} to`);
    await expect.poll(() => watch.stacks.has(name), { timeout: 30_000 }).toBe(false);
  });

  it('preflight flags build:, container_name and a relative bind with their lines; the error blocks', async () => {
    const name = `${prefix}-c`;
    await t.agent.post('/api/stacks').send({ name, yaml: FLAGGED }).expect(201);
    const preview = await t.agent.get(`/api/stacks/${name}/deploy`).expect(200);
    const found = (preview.body.findings as Array<{ code: string; severity: string; line: number }>).map(
      (f) => [f.code, f.severity, f.line],
    );
    expect(found).toEqual([
      ['build', 'error', 5],
      ['container_name', 'warning', 6],
      ['relative_bind', 'warning', 8],
    ]);
    expect(preview.body).toMatchObject({ blocked: true, needsConfirm: false });
    const refused = await t.agent.post(`/api/stacks/${name}/deploy`).send({ confirm: true }).expect(422);
    expect(refused.body.error.code).toBe('INVALID_COMPOSE');
    expect(refused.body.error.message).toContain('line 5');
    expect((await detail(name)).services).toEqual([]);
  });

  it('a stack with only warnings needs confirmation, then deploys', async () => {
    const name = `${prefix}-d`;
    await t.agent.post('/api/stacks').send({ name, yaml: WARNINGS_ONLY }).expect(201);
    const preview = await t.agent.get(`/api/stacks/${name}/deploy`).expect(200);
    expect(preview.body).toMatchObject({ blocked: false, needsConfirm: true });
    expect(preview.body.findings.map((f: { code: string }) => f.code)).toEqual(['container_name', 'restart']);
    const unconfirmed = await t.agent.post(`/api/stacks/${name}/deploy`).send({}).expect(409);
    expect(unconfirmed.body.error.details.confirmRequired).toBe(true);
    const res = await t.agent.post(`/api/stacks/${name}/deploy`).send({ confirm: true }).expect(202);
    expect(res.body.findings).toHaveLength(2);
    expect(await waitForJob(t.agent, res.body.jobId)).toMatchObject({ state: 'succeeded' });
    await untilStatus(name, 'running');
    const down = await t.agent.post(`/api/stacks/${name}/down`).expect(202);
    expect(await waitForJob(t.agent, down.body.jobId)).toMatchObject({ state: 'succeeded' });
    await expect.poll(() => watch.status(name), { timeout: 30_000 }).toBe('down');
  });

  it('a rolling update reads updating, then running with the update completed', async () => {
    const name = `${prefix}-e`;
    const yaml = `x-berth: {target: swarm}
services:
  web:
    image: ${TEST_IMAGE}
    command: ["sleep", "\${SLEEP_SECONDS}"]
    stop_grace_period: 1s
    deploy:
      replicas: 2
      update_config: {parallelism: 1, delay: 3s}
`;
    const created = await t.agent
      .post('/api/stacks')
      .send({ name, yaml, env: 'SLEEP_SECONDS=3600\n' })
      .expect(201);
    const first = await t.agent.post(`/api/stacks/${name}/deploy`).send({}).expect(202);
    expect(await waitForJob(t.agent, first.body.jobId)).toMatchObject({ state: 'succeeded' });
    await untilStatus(name, 'running');

    await t.agent
      .put(`/api/stacks/${name}`)
      .send({ yaml, env: 'SLEEP_SECONDS=3601\n', etag: created.body.etag })
      .expect(200);
    const second = await t.agent.post(`/api/stacks/${name}/deploy`).send({}).expect(202);
    expect(await waitForJob(t.agent, second.body.jobId)).toMatchObject({ state: 'succeeded' });
    await expect.poll(() => watch.status(name), { timeout: 30_000 }).toBe('updating');
    await expect.poll(() => watch.status(name), { timeout: 90_000 }).toBe('running');
    expect(await service(name, 'web')).toMatchObject({ updateState: 'completed', running: 2, desired: 2 });
    const cmd = await swarm.engine.docker([
      'service',
      'inspect',
      `${name}_web`,
      '--format',
      '{{json .Spec.TaskTemplate.ContainerSpec.Args}}',
    ]);
    expect(cmd).toContain('3601');
    const down = await t.agent.post(`/api/stacks/${name}/down`).expect(202);
    expect(await waitForJob(t.agent, down.body.jobId)).toMatchObject({ state: 'succeeded' });
  }, 180_000);

  it('drains and activates the node (admin); unknown nodes are 404', async () => {
    const info = (await t.agent.get('/api/swarm').expect(200)).body as SwarmInfo;
    const id = info.nodes[0]?.id ?? '';
    const drained = await t.agent
      .post(`/api/swarm/nodes/${id}/availability`)
      .send({ availability: 'drain' })
      .expect(200);
    expect(drained.body.nodes[0].availability).toBe('drain');
    const active = await t.agent
      .post(`/api/swarm/nodes/${id}/availability`)
      .send({ availability: 'active' })
      .expect(200);
    expect(active.body.nodes[0].availability).toBe('active');
    await t.agent.post('/api/swarm/nodes/nope/availability').send({ availability: 'drain' }).expect(404);
    await t.agent.post(`/api/swarm/nodes/${id}/availability`).send({ availability: 'gone' }).expect(400);
  });
});

describe.runIf(hasEngine)('swarm target on an engine that is not in a swarm (the shared one)', () => {
  let t: TestBerth;
  beforeAll(async () => {
    t = await startBerth();
  });
  afterAll(async () => {
    await t.close();
  });

  it('says so and deploys nothing; Berth never runs swarm init', async () => {
    const info = (await t.agent.get('/api/swarm').expect(200)).body as SwarmInfo;
    expect(info).toMatchObject({ active: false, manager: false, nodes: [] });
    expect(info.message).toContain('not part of a swarm');
    const name = `${prefix}-n`;
    await t.agent
      .post('/api/stacks')
      .send({ name, yaml: SLEEPER, env: 'SLEEP_SECONDS=1\nREPLICAS=1\n' })
      .expect(201);
    const preview = await t.agent.get(`/api/stacks/${name}/deploy`).expect(200);
    expect(preview.body).toMatchObject({ swarmActive: false, target: 'swarm' });
    const res = await t.agent.post(`/api/stacks/${name}/deploy`).send({}).expect(409);
    expect(res.body.error.message).toContain('swarm init');
    await t.agent.post(`/api/stacks/${name}/services/web/scale`).send({ replicas: 2 }).expect(409);
    const detail = (await t.agent.get(`/api/stacks/${name}/swarm`).expect(200)).body as SwarmStackDetail;
    expect(detail).toMatchObject({ target: 'swarm', swarm: { active: false }, services: [] });
  });
});
