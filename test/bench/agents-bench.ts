import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startAgentProcess, startBerthProcess, type BerthProcess } from '../helpers/berth-process.js';
import { docker, TEST_IMAGE } from '../helpers/engine.js';
import { tempDir } from '../helpers/factories.js';
import { connect, type ClientSocket } from '../helpers/socket.js';
import { round, summarize } from './stats.js';

const N = Number(process.env.BERTH_BENCH_AGENT_RUNS ?? 200);
const COMPOSE = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "3600"]\n    init: true\n`;

async function api(b: BerthProcess, method: string, url: string, body?: unknown): Promise<Response> {
  return fetch(b.url + url, {
    method,
    headers: { Cookie: b.cookie, Origin: b.url, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function waitJob(b: BerthProcess, prefix: string, jobId: string): Promise<void> {
  for (;;) {
    const job = (await (await api(b, 'GET', `${prefix}/jobs/${jobId}`)).json()) as {
      state: string;
      output: string;
    };
    if (job.state === 'succeeded') return;
    if (job.state === 'failed') throw new Error(`job failed: ${job.output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A keystroke typed into a shell comes back as the tty's echo: the time until it is seen. */
async function keystrokes(s: ClientSocket, host: string | undefined, stack: string): Promise<number[]> {
  const h = host ? { host } : {};
  const opened = await s.emitWithAck('exec:open', { ...h, stack, service: 'app', shell: 'sh' });
  if (!opened.ok) throw new Error(`exec:open: ${opened.error.message}`);
  const id = opened.data.id;
  await s.emitWithAck('terminal:join', { ...h, id });
  let seen = '';
  let waiting: (() => void) | undefined;
  let want = '';
  s.on('terminal:output', (o) => {
    if (o.id !== id || (o.host ?? undefined) !== host) return;
    seen += o.data;
    if (want && seen.includes(want)) waiting?.();
  });
  const out: number[] = [];
  for (let i = 0; i < N; i++) {
    // A fresh letter pair each time so an old echo never counts.
    want = String.fromCharCode(97 + (i % 26)) + String.fromCharCode(65 + ((i / 26) % 26));
    seen = '';
    const t = performance.now();
    await new Promise<void>((resolve) => {
      waiting = resolve;
      s.emit('terminal:input', { ...h, id, data: want });
    });
    out.push(performance.now() - t);
    if (i % 40 === 39) s.emit('terminal:input', { ...h, id, data: '\u0015' }); // ^U: clear the line
  }
  s.emit('terminal:input', { ...h, id, data: '\u0015exit\n' });
  return out;
}

/**
 * What the hub -> agent tunnel adds on one machine: the same calls against the hub's own host and
 * against an agent (a second Berth process dialled in over its WebSocket), p95 of each and the
 * difference. A cheap GET, an action's POST (202 accepted), and a keystroke's echo in a shell.
 */
export async function benchAgents() {
  const tmp = tempDir('berth-bench-agents-');
  const stack = `agb-${process.pid}`;
  const remoteStack = `agb-${process.pid}-r`;
  const hub = await startBerthProcess({
    BERTH_STACKS_DIR: path.join(tmp.dir, 'hub-stacks'),
    BERTH_DATA_DIR: path.join(tmp.dir, 'hub-data'),
  });
  const created = (await (await api(hub, 'POST', '/api/hosts', { name: 'bench' })).json()) as {
    id: string;
    enrollToken: string;
  };
  mkdirSync(path.join(tmp.dir, 'agent-stacks', remoteStack), { recursive: true });
  writeFileSync(path.join(tmp.dir, 'agent-stacks', remoteStack, 'compose.yaml'), COMPOSE);
  const agent = startAgentProcess({
    hubUrl: hub.url,
    enrollToken: created.enrollToken,
    env: {
      BERTH_STACKS_DIR: path.join(tmp.dir, 'agent-stacks'),
      BERTH_DATA_DIR: path.join(tmp.dir, 'agent-data'),
    },
  });
  const remote = `/api/hosts/${created.id}`;
  let s: ClientSocket | undefined;
  try {
    await agent.waitForLog('agent connected');
    await api(hub, 'POST', '/api/stacks', { name: stack, yaml: COMPOSE });
    for (const prefix of ['/api', remote]) {
      const name = prefix === '/api' ? stack : remoteStack;
      const res = await api(hub, 'POST', `${prefix}/stacks/${name}/up`);
      await waitJob(hub, prefix, ((await res.json()) as { jobId: string }).jobId);
    }
    // Warm both paths (JIT, connections) before measuring.
    for (let i = 0; i < 20; i++) {
      await api(hub, 'GET', `/api/stacks/${stack}`);
      await api(hub, 'GET', `${remote}/stacks/${remoteStack}`);
    }
    const get = { local: [] as number[], agent: [] as number[] };
    for (let i = 0; i < N; i++) {
      get.local.push(await timed(() => api(hub, 'GET', `/api/stacks/${stack}`).then((r) => r.arrayBuffer())));
      get.agent.push(
        await timed(() => api(hub, 'GET', `${remote}/stacks/${remoteStack}`).then((r) => r.arrayBuffer())),
      );
    }
    // An action as a client starts it: POST until 202 (the job runs on; `stop` of a running app, then `start`).
    const action = { local: [] as number[], agent: [] as number[] };
    const actions = Math.min(N, 30);
    for (let i = 0; i < actions; i++) {
      const verb = i % 2 === 0 ? 'restart' : 'start';
      for (const [which, prefix, name] of [
        ['local', '/api', stack],
        ['agent', remote, remoteStack],
      ] as const) {
        let jobId = '';
        action[which].push(
          await timed(async () => {
            const res = await api(hub, 'POST', `${prefix}/stacks/${name}/${verb}`);
            jobId = ((await res.json()) as { jobId: string }).jobId;
          }),
        );
        await waitJob(hub, prefix, jobId);
      }
    }
    s = connect(hub.url, { Cookie: hub.cookie });
    await new Promise((r) => s!.once('stacks:list', r));
    const keysLocal = await keystrokes(s, undefined, stack);
    const keysAgent = await keystrokes(s, created.id, remoteStack);
    const row = (local: number[], viaAgent: number[]) => {
      const l = summarize(local);
      const a = summarize(viaAgent);
      return { local: l, agent: a, addedP95Ms: round(a.p95 - l.p95), addedP50Ms: round(a.p50 - l.p50) };
    };
    return {
      name: 'agents',
      note: 'hub and agent are separate Berth processes on this machine, the agent dialled in over its WebSocket; target: <= 20 ms p95 added',
      getStack: row(get.local, get.agent),
      actionAccepted: row(action.local, action.agent),
      keystrokeEcho: row(keysLocal, keysAgent),
    };
  } finally {
    s?.disconnect();
    await docker(['compose', '-p', stack, 'down', '-t', '0']).catch(() => undefined);
    await docker(['compose', '-p', remoteStack, 'down', '-t', '0']).catch(() => undefined);
    await agent.kill();
    await hub.stop();
    tmp.cleanup();
  }
}
