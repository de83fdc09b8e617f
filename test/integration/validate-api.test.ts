import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem } from '../../common/stack.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { docker, engineGate } from '../helpers/engine.js';

const hasEngine = await engineGate();

describe.runIf(hasEngine)('validation with the stack around the text, and compose as the oracle', () => {
  let t: TestBerth;
  const name = `val-${process.pid}-api`;
  const errorsOf = (problems: Problem[]) => problems.filter((p) => p.severity === 'error');

  beforeAll(async () => {
    t = await startBerth();
  });
  afterAll(async () => {
    await docker(['compose', '-p', name, 'down', '--remove-orphans'], t.config.stacksDir).catch(() => '');
    await t.close();
  });

  const yaml =
    'services:\n  web:\n    image: ${IMAGE:?set IMAGE}\n    hostname: ${HOST}\n    command: sleep 60\n';

  it("resolves variables against the stack's .env, or the env text sent with the request", async () => {
    await t.agent
      .post('/api/stacks')
      .send({ name, yaml, env: 'IMAGE=berth-test/busybox:latest\n' })
      .expect(201);
    const withStack = await t.agent.post('/api/validate').send({ yaml, stack: name }).expect(200);
    expect(withStack.body.problems).toEqual([
      expect.objectContaining({
        severity: 'warning',
        line: 4,
        message: expect.stringContaining('HOST is not set'),
      }),
    ]);
    const edited = await t.agent
      .post('/api/validate')
      .send({ yaml, stack: name, env: 'HOST=h\n' })
      .expect(200);
    expect(edited.body.problems).toEqual([
      expect.objectContaining({
        severity: 'error',
        line: 3,
        message: 'required variable IMAGE is missing a value: set IMAGE',
      }),
    ]);
    // No stack and no env: nothing can be said about variables.
    const bare = await t.agent.post('/api/validate').send({ yaml }).expect(200);
    expect(bare.body.problems).toEqual([]);
  });

  it('refuses a bad stack name in the request', async () => {
    await t.agent.post('/api/validate').send({ yaml, stack: '../etc' }).expect(400);
  });

  it("a save reports compose's own verdict on the folder, mapped to a line", async () => {
    // The extended file is outside what Berth reads as you type; compose reads it and refuses.
    writeFileSync(
      path.join(t.config.stacksDir, name, 'base.yaml'),
      'services:\n  base:\n    image: berth-test/busybox:latest\n    ports: ["80:abc"]\n',
    );
    const broken =
      'services:\n  web:\n    extends: {file: base.yaml, service: base}\n    command: sleep 60\n';
    const { etag } = (await t.agent.get(`/api/stacks/${name}`).expect(200)).body as { etag: string };
    const saved = await t.agent.put(`/api/stacks/${name}`).send({ yaml: broken, etag }).expect(200);
    const errors = errorsOf(saved.body.problems as Problem[]);
    expect(errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^docker compose config: .*Invalid containerPort: abc/),
      }),
    ]);
  });

  it("an action on a stack compose refuses is refused with 422 and compose's message", async () => {
    const res = await t.agent.post(`/api/stacks/${name}/up`).expect(422);
    expect(res.body.error.code).toBe('INVALID_COMPOSE');
    expect(res.body.error.message).toContain('Invalid containerPort: abc');
    const ps = await docker(['ps', '-a', '--filter', `label=com.docker.compose.project=${name}`, '-q']);
    expect(ps.trim()).toBe('');
  });

  it("an action on a stack Berth's own rules refuse is refused before compose runs", async () => {
    const { etag } = (await t.agent.get(`/api/stacks/${name}`).expect(200)).body as { etag: string };
    const bad = 'services:\n  web:\n    image: berth-test/busybox:latest\n    depends_on: [db]\n';
    await t.agent.put(`/api/stacks/${name}`).send({ yaml: bad, etag }).expect(200);
    const res = await t.agent.post(`/api/stacks/${name}/up`).expect(422);
    expect(res.body.error.message).toMatch(/line 4: service "web" depends on undefined service "db"/);
  });
});
