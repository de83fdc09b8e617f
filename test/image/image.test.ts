import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthResponse } from '../../common/api.js';
import { StackSummary } from '../../common/stack.js';
import { docker, engineGate, TEST_IMAGE } from '../helpers/engine.js';

/*
 * The container image, really built and run: a stand-in for the base image (no registry here),
 * `docker build` of the Dockerfile, then the container against this machine's engine through
 * the socket, with a stacks dir mounted at the same path inside and outside.
 */
const hasEngine = await engineGate();

const ROOT = path.resolve(import.meta.dirname, '../..');
const IMAGE = 'berth-imagetest:latest';
const CONTAINER = `berth-imagetest-${process.pid}`;
const PROBE = `imagetest-probe-${process.pid}`;
const ADMIN = { username: 'admin', password: 'image-test-password' };

function run(cmd: string, args: string[], timeoutMs: number, cwd = ROOT): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr.slice(-4000)}`));
      else resolve(stdout);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

describe.runIf(hasEngine)('the container image', () => {
  let stacksDir: string;
  let base: string;

  beforeAll(async () => {
    const t0 = Date.now();
    await run('bash', [path.join(ROOT, 'test/image/make-base-image.sh')], 15 * 60_000);
    const standIn = seconds(t0);
    const t1 = Date.now();
    await run('docker', ['build', '-t', IMAGE, '.'], 30 * 60_000);
    const size = Number(await docker(['image', 'inspect', '-f', '{{.Size}}', IMAGE]));
    // Reported, never asserted: timings belong to benchmarks.
    process.stderr.write(
      `[image] stand-in base ${standIn}s, docker build ${seconds(t1)}s, ` +
        `image ${(size / 1e6).toFixed(0)} MB\n`,
    );

    // The stacks dir lives at one path on the host and in the container.
    stacksDir = path.join(mkdtempSync(path.join(tmpdir(), 'berth-imagetest-')), 'stacks');
    mkdirSync(stacksDir);
    cpSync(path.join(ROOT, 'stacks-example/static-site'), path.join(stacksDir, 'static-site'), {
      recursive: true,
    });
    // A one-shot service printing a file from a relative bind mount: resolved by the host's engine.
    mkdirSync(path.join(stacksDir, PROBE, 'data'), { recursive: true });
    writeFileSync(path.join(stacksDir, PROBE, 'data', 'hello.txt'), `hello from ${PROBE}\n`);
    writeFileSync(
      path.join(stacksDir, PROBE, 'compose.yaml'),
      `services:\n  probe:\n    image: ${TEST_IMAGE}\n    restart: 'no'\n` +
        `    command: ['cat', '/data/hello.txt']\n    volumes:\n      - ./data:/data:ro\n`,
    );

    await docker([
      'run',
      '-d',
      '--name',
      CONTAINER,
      '-p',
      '127.0.0.1::5001',
      '-v',
      '/var/run/docker.sock:/var/run/docker.sock',
      '-v',
      `${stacksDir}:${stacksDir}`,
      '-e',
      `BERTH_STACKS_DIR=${stacksDir}`,
      '-e',
      `BERTH_ADMIN_USER=${ADMIN.username}`,
      '-e',
      `BERTH_ADMIN_PASSWORD=${ADMIN.password}`,
      // The Dockerfile's check, run more often so the test need not wait 30 s for it.
      '--health-interval',
      '2s',
      IMAGE,
    ]);
    const port = (await docker(['port', CONTAINER, '5001/tcp'])).split('\n')[0]?.split(':').pop();
    base = `http://127.0.0.1:${port ?? ''}`;
  }, 45 * 60_000);

  afterAll(async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'berth-imagetest-down-'));
    await docker(['compose', '-p', PROBE, 'down', '--remove-orphans'], empty).catch(() => '');
    await docker(['rm', '-f', '-v', CONTAINER]).catch(() => '');
    rmSync(empty, { recursive: true, force: true });
    if (stacksDir) rmSync(path.dirname(stacksDir), { recursive: true, force: true });
  });

  it('becomes healthy by its own HEALTHCHECK', async () => {
    const until = Date.now() + 120_000;
    for (;;) {
      const state = await docker(['inspect', '-f', '{{.State.Status}} {{.State.Health.Status}}', CONTAINER]);
      if (state === 'running healthy') break;
      if (!state.startsWith('running') || Date.now() > until) {
        const logs = await run('docker', ['logs', '--tail', '50', CONTAINER], 10_000).catch(
          (e: Error) => e.message,
        );
        throw new Error(`container is "${state}", not healthy; its log:\n${logs}`);
      }
      await sleep(1000);
    }
  });

  it('reports the engine and compose from inside the container (to a session only)', async () => {
    expect(await (await fetch(`${base}/api/health`)).json()).toEqual({ ok: true });
    const cookie = await login();
    const health = HealthResponse.parse(
      await (await fetch(`${base}/api/health`, { headers: { cookie } })).json(),
    );
    expect(health.docker.reachable).toBe(true);
    expect(health.docker.version).toBe(await docker(['version', '--format', '{{.Server.Version}}']));
    expect(health.docker.composeVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('serves the built web UI', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<script[^>]+src="\/assets\/[^"]+\.js"/);
  });

  it('logs in the admin from the environment and lists the example stack', async () => {
    const cookie = await login();
    const res = await fetch(`${base}/api/stacks`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const stacks = StackSummary.array().parse(await res.json());
    expect(stacks.find((s) => s.name === 'static-site')).toMatchObject({
      managed: true,
      composeFile: 'compose.yaml',
    });
  });

  it('ships the example stacks as built-in templates', async () => {
    const cookie = await login();
    const res = await fetch(`${base}/api/templates`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const ids = ((await res.json()) as Array<{ id: string }>).map((x) => x.id);
    expect(ids).toEqual(expect.arrayContaining(['builtin/static-site', 'builtin/postgres-adminer']));
    // The example .env stays out of the image: templates carry .env.example.
    const ls = await docker(['exec', CONTAINER, 'ls', '-A', '/app/stacks-example/postgres-adminer']);
    expect(ls.split('\n').sort()).toEqual(['.env.example', 'compose.yaml', 'template.json']);
  });

  it('runs compose through the socket, with relative bind mounts resolved on the host', async () => {
    const cookie = await login();
    const started = await fetch(`${base}/api/stacks/${PROBE}/up`, {
      method: 'POST',
      headers: { cookie, origin: base },
    });
    expect(started.status).toBe(202);
    const { jobId } = (await started.json()) as { jobId: string };
    let job: { state: string; output: string } = { state: 'running', output: '' };
    for (let i = 0; i < 120 && job.state === 'running'; i++) {
      await sleep(500);
      job = (await (await fetch(`${base}/api/jobs/${jobId}`, { headers: { cookie } })).json()) as typeof job;
    }
    expect(job.state, job.output).toBe('succeeded');
    let logs = '';
    for (let i = 0; i < 40 && !logs.includes('hello'); i++) {
      logs = await run('docker', ['logs', `${PROBE}-probe-1`], 10_000).catch(() => '');
      if (!logs.includes('hello')) await sleep(250);
    }
    expect(logs).toContain(`hello from ${PROBE}`);
  });

  async function login(): Promise<string> {
    const res = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: base },
      body: JSON.stringify(ADMIN),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('berth.sid='));
    expect(cookie).toBeDefined();
    return (cookie ?? '').split(';')[0] ?? '';
  }
});
