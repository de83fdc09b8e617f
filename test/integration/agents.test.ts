import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect as tcpConnect, type AddressInfo } from 'node:net';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackKey } from '../../common/host-ref.js';
import type { HostSummary } from '../../common/hosts.js';
import type { StackSummary } from '../../common/stack.js';
import { AGENT_HEARTBEAT_FILE, AGENT_KEY_FILE } from '../../server/src/agents/agent-identity.js';
import { DATABASE_FILE } from '../../server/src/auth/database.js';
import { pino } from 'pino';
import { AgentIdentity } from '../../server/src/agents/agent-identity.js';
import { internalAuth } from '../../server/src/http/internal-principal.js';
import { EXIT_PROTOCOL, startAgentLink } from '../../server/src/realtime/agent-link.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { startAgentProcess, type AgentProcess } from '../helpers/berth-process.js';
import { docker, engineGate, TEST_IMAGE } from '../helpers/engine.js';
import { tempDir } from '../helpers/factories.js';
import { startSecondEngine, type SecondEngine } from '../helpers/second-engine.js';
import { connect, connectOutcome, sessionCookie, type ClientSocket } from '../helpers/socket.js';

const hasEngine = await engineGate();

const STACK = `ag-${process.pid}-a`;
const LOCAL_ONLY = `ag-${process.pid}-local`;
const COMPOSE = `services:
  app:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "while true; do echo tick-from-agent; sleep 1; done"]
    init: true
`;

/** A forward proxy that only tunnels (`CONNECT host:port`), as corporate HTTPS proxies do. */
async function connectProxy(): Promise<{ server: Server; url: string; tunnels: string[] }> {
  const tunnels: string[] = [];
  const server = createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req, client, head) => {
    tunnels.push(req.url ?? '');
    const [host = '', port = '0'] = (req.url ?? '').split(':');
    const upstream = tcpConnect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tunnels };
}

/** What a browser socket of the hub has been told, stacks keyed by host and name. */
class Watch {
  readonly stacks = new Map<string, StackSummary>();
  readonly output = new Map<string, string>();
  readonly logLines: Array<{ host?: string; message: string }> = [];
  readonly hostEvents: Array<HostSummary & { removed?: boolean }> = [];
  constructor(readonly socket: ClientSocket) {
    socket.on('stacks:list', (list) => {
      this.stacks.clear();
      for (const s of list) this.stacks.set(stackKey(s), s);
    });
    socket.on('stack:changed', (s) => this.stacks.set(stackKey(s), s));
    socket.on('stack:removed', (r) =>
      this.stacks.delete(stackKey({ host: r.host ?? 'local', name: r.name })),
    );
    socket.on('terminal:output', (o) => {
      const key = `${o.host ?? 'local'}|${o.id}`;
      this.output.set(key, (this.output.get(key) ?? '') + o.data);
    });
    socket.on('logs:lines', (b) => {
      for (const l of b.lines) this.logLines.push({ host: b.host, message: l.text });
    });
    socket.on('host:changed', (h) => this.hostEvents.push(h));
  }
}

describe.runIf(hasEngine)('agents: a second Berth on a second engine, through the hub', () => {
  let engine2: SecondEngine;
  let hub: TestBerth;
  let agentDirs: { dir: string; cleanup: () => void };
  let agent: AgentProcess | undefined;
  let hostId = '';
  let token = '';
  let socket: ClientSocket;
  let watch: Watch;
  let proxy: Awaited<ReturnType<typeof connectProxy>> | undefined;
  const agentStacks = () => path.join(agentDirs.dir, 'stacks');
  const agentData = () => path.join(agentDirs.dir, 'data');
  const startAgent = (
    enrollToken?: string,
    dirs = { stacks: agentStacks(), data: agentData() },
    env: Record<string, string> = {},
  ) =>
    startAgentProcess({
      hubUrl: hub.url,
      enrollToken,
      env: { DOCKER_HOST: engine2.host, BERTH_STACKS_DIR: dirs.stacks, BERTH_DATA_DIR: dirs.data, ...env },
    });
  const hosted = (p: string) => `/api/hosts/${hostId}${p}`;

  beforeAll(async () => {
    engine2 = await startSecondEngine({ tag: 'ag' });
    hub = await startBerth();
    agentDirs = tempDir('berth-agent-');
    mkdirSync(path.join(agentStacks(), STACK), { recursive: true });
    writeFileSync(path.join(agentStacks(), STACK, 'compose.yaml'), COMPOSE);
    // A stack of the hub's own, to tell the two apart.
    await hub.agent.post('/api/stacks').send({ name: LOCAL_ONLY, yaml: COMPOSE }).expect(201);
    socket = connect(hub.url, { cookie: await sessionCookie(hub) });
    watch = new Watch(socket);
    expect(await connectOutcome(socket)).toBe('connected');
  });

  afterAll(async () => {
    socket?.disconnect();
    await agent?.kill('SIGKILL');
    proxy?.server.closeAllConnections();
    proxy?.server.close();
    await docker(['compose', '-p', STACK, 'down', '--remove-orphans']).catch(() => undefined);
    await hub?.close();
    await engine2?.stop();
    agentDirs?.cleanup();
  });

  it('creates a host with a one-time token and the command to run on it', async () => {
    const res = await hub.agent.post('/api/hosts').send({ name: 'nas' }).expect(201);
    expect(res.body.id).toMatch(/^h_[a-z2-7]{10}$/);
    hostId = res.body.id as string;
    token = res.body.enrollToken as string;
    expect(res.body.command).toBe(`berth --hub ${hub.url} --enroll ${token}`);
    await hub.agent.post('/api/hosts').send({ name: 'nas' }).expect(409);
    const list = (await hub.agent.get('/api/hosts').expect(200)).body as HostSummary[];
    expect(list[0]).toMatchObject({ id: 'local', online: true });
    expect(list.find((h) => h.id === hostId)).toMatchObject({ name: 'nas', online: false, lastSeen: null });
    await expect.poll(() => watch.hostEvents.some((h) => h.id === hostId && !h.online)).toBe(true);
  });

  it('enrolls the agent, which shows online with its version, and its stacks at the hub', async () => {
    agent = startAgent(token);
    await agent.waitForLog('agent enrolled');
    await expect
      .poll(async () =>
        ((await hub.agent.get('/api/hosts').expect(200)).body as HostSummary[]).find((h) => h.id === hostId),
      )
      .toMatchObject({
        online: true,
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        address: expect.any(String),
      });
    expect(watch.hostEvents.some((h) => h.id === hostId && h.online)).toBe(true);
    // The image's health check of an agent reads this (an agent opens no port).
    expect(existsSync(path.join(agentData(), AGENT_HEARTBEAT_FILE))).toBe(true);
    // The socket's list: local stacks and the agent's, each with its host.
    await expect.poll(() => watch.stacks.get(`${hostId}/${STACK}`)?.status).toBe('down');
    expect(watch.stacks.get(`local/${LOCAL_ONLY}`)).toBeDefined();
    expect(watch.stacks.get(`local/${STACK}`)).toBeUndefined();
    const remote = (await hub.agent.get(hosted('/stacks')).expect(200)).body as StackSummary[];
    expect(remote.find((s) => s.name === STACK)).toMatchObject({ host: hostId, managed: true });
    expect(remote.find((s) => s.name === LOCAL_ONLY)).toBeUndefined();
    // `local` in the path is the plain route.
    const local = (await hub.agent.get('/api/hosts/local/stacks').expect(200)).body as StackSummary[];
    expect(local.find((s) => s.name === LOCAL_ONLY)).toMatchObject({ host: 'local' });
    await hub.agent.get('/api/hosts/h_aaaaaaaaaa/stacks').expect(404);
    // Bad input is refused at the hub, before the tunnel.
    const bad = await hub.agent.get(hosted('/stacks/..%2Fetc')).expect(400);
    expect(bad.body.error.code).toBe('BAD_REQUEST');
  });

  it('deploys from the hub with live output: the containers run on the second engine, not the first', async () => {
    // The action terminal of the remote stack, joined before the action (as the stack page does).
    const joined = await socket.emitWithAck('terminal:join', { host: hostId, id: `stack:${STACK}` });
    expect(joined.ok).toBe(true);
    const res = await hub.agent.post(hosted(`/stacks/${STACK}/up`)).expect(202);
    const jobId = res.body.jobId as string;
    await expect
      .poll(async () => (await hub.agent.get(hosted(`/jobs/${jobId}`)).expect(200)).body.state, {
        timeout: 60_000,
      })
      .toBe('succeeded');
    const onSecond = await engine2.docker([
      'ps',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${STACK}`,
    ]);
    expect(onSecond).not.toBe('');
    const onFirst = await docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${STACK}`]);
    expect(onFirst).toBe('');
    await expect.poll(() => watch.stacks.get(`${hostId}/${STACK}`)?.status).toBe('running');
    expect(watch.output.get(`${hostId}|stack:${STACK}`) ?? '').toMatch(/Started|Running/);
    // The hub's audit log names the host.
    const audit = (await hub.agent.get('/api/audit').expect(200)).body as Array<{
      operation: string;
      host: string;
    }>;
    expect(audit.find((e) => e.operation === 'runAction:up')).toMatchObject({ host: hostId });
  });

  it("saves an edit from the hub: the file changes on the agent's disk (etag checked there)", async () => {
    const detail = await hub.agent.get(hosted(`/stacks/${STACK}`)).expect(200);
    expect(detail.body).toMatchObject({ host: hostId, name: STACK, yaml: COMPOSE });
    const edited = COMPOSE.replace('init: true', 'init: true\n    labels:\n      edited: "by-hub"');
    await hub.agent
      .put(hosted(`/stacks/${STACK}`))
      .send({ yaml: edited, etag: detail.body.etag })
      .expect(200);
    expect(readFileSync(path.join(agentStacks(), STACK, 'compose.yaml'), 'utf8')).toBe(edited);
    const stale = await hub.agent
      .put(hosted(`/stacks/${STACK}`))
      .send({ yaml: COMPOSE, etag: detail.body.etag });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('CONFLICT');
    const history = await hub.agent.get(hosted(`/stacks/${STACK}/history`)).expect(200);
    expect(history.body.length).toBeGreaterThanOrEqual(1);
  });

  it('opens a shell in the remote stack: keystrokes go there, output comes back with the host', async () => {
    const opened = await socket.emitWithAck('exec:open', {
      host: hostId,
      stack: STACK,
      service: 'app',
      shell: 'sh',
    });
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const id = opened.data.id;
    const joined = await socket.emitWithAck('terminal:join', { host: hostId, id });
    expect(joined.ok).toBe(true);
    socket.emit('terminal:input', { host: hostId, id, data: 'echo agent-$((6*7)) $(hostname)\n' });
    await expect.poll(() => watch.output.get(`${hostId}|${id}`) ?? '').toContain('agent-42');
    // The same id on the hub's own host is no terminal of this socket.
    const local = await socket.emitWithAck('terminal:join', { id });
    expect(local.ok).toBe(false);
  });

  it('follows the logs of the remote stack', async () => {
    const sub = await socket.emitWithAck('logs:subscribe', { host: hostId, stack: STACK, tail: 5 });
    expect(sub.ok).toBe(true);
    await expect
      .poll(
        () => watch.logLines.filter((l) => l.host === hostId && l.message.includes('tick-from-agent')).length,
      )
      .toBeGreaterThan(0);
  });

  it('streams stats and downloads logs of the remote host', async () => {
    const samples: Array<{ host?: string }> = [];
    socket.on('stats:sample', (s) => samples.push(s));
    const sub = await socket.emitWithAck('stats:subscribe', { host: hostId, stack: STACK });
    expect(sub.ok).toBe(true);
    await expect.poll(() => samples.filter((s) => s.host === hostId).length).toBeGreaterThan(0);
    const dl = await hub.agent.get(hosted(`/stacks/${STACK}/logs?tail=3`)).expect(200);
    expect(dl.headers['content-disposition']).toMatch(/attachment/);
    expect(dl.text).toContain('tick-from-agent');
  });

  it('carries a reply bigger than one socket.io message (in chunks) whole', async () => {
    const big = `ag-${process.pid}-big`;
    const yaml = `# ${'x'.repeat(1_500_000)}\nservices:\n  app:\n    image: ${TEST_IMAGE}\n`;
    mkdirSync(path.join(agentStacks(), big), { recursive: true });
    writeFileSync(path.join(agentStacks(), big, 'compose.yaml'), yaml);
    await expect.poll(async () => (await hub.agent.get(hosted(`/stacks/${big}`))).status).toBe(200);
    const res = await hub.agent.get(hosted(`/stacks/${big}`)).expect(200);
    expect(res.body.yaml).toBe(yaml);
  });

  it('a killed agent marks its stacks unknown within 10 s; restarted (through a proxy), it is back without re-enrolling', async () => {
    await agent!.kill('SIGKILL');
    await expect
      .poll(() => watch.stacks.get(`${hostId}/${STACK}`)?.status, { timeout: 10_000 })
      .toBe('unknown');
    const hosts = (await hub.agent.get('/api/hosts').expect(200)).body as HostSummary[];
    expect(hosts.find((h) => h.id === hostId)).toMatchObject({ online: false, lastSeen: expect.any(String) });
    const offline = await hub.agent.get(hosted('/stacks')).expect(503);
    expect(offline.body.error).toMatchObject({
      code: 'HOST_OFFLINE',
      message: expect.stringContaining('host nas is offline'),
    });
    const relayed = await socket.emitWithAck('exec:open', { host: hostId, stack: STACK, service: 'app' });
    expect(relayed).toMatchObject({ ok: false, error: { code: 'HOST_OFFLINE' } });
    // Nothing else broke: the local stacks are as they were.
    await hub.agent.get(`/api/stacks/${LOCAL_ONLY}`).expect(200);

    // No token this time: its key and agent.json are enough. And it dials out through a proxy.
    proxy = await connectProxy();
    agent = startAgent(undefined, undefined, { HTTP_PROXY: proxy.url, NO_PROXY: '' });
    await agent.waitForLog('agent connected');
    expect(proxy.tunnels).toContain(new URL(hub.url).host);
    expect(agent.logs.some((l) => l.msg === 'agent enrolled')).toBe(false);
    await expect.poll(() => watch.stacks.get(`${hostId}/${STACK}`)?.status).toBe('running');
  });

  it('refuses a second use of the enrolment token', async () => {
    const other = tempDir('berth-agent2-');
    try {
      const second = startAgent(token, {
        stacks: path.join(other.dir, 's'),
        data: path.join(other.dir, 'd'),
      });
      await second.waitForLog(/the hub refused this agent/);
      expect(await second.exited).toBe(4);
      expect(second.logs.find((l) => /refused/.test(l.msg))).toMatchObject({ code: 'ENROLL_REFUSED' });
    } finally {
      other.cleanup();
    }
  });

  it('refuses an agent of another protocol version, saying so', async () => {
    const client = io(`${hub.url}/agent`, {
      transports: ['websocket'],
      extraHeaders: { 'x-berth-agent': '1' },
      auth: { protocol: 99, version: '9.9.9' },
      reconnection: false,
      forceNew: true,
    });
    const message = await new Promise<string>((resolve) =>
      client.once('connect_error', (e) => resolve(e.message)),
    );
    client.disconnect();
    expect(message).toBe(
      'PROTOCOL: hub speaks protocol 1, agent 99; run the same Berth version on the hub and the agent',
    );

    // An agent of another protocol logs the hub's reason and stops instead of retrying.
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const dir = tempDir('berth-agent-skew-');
    try {
      const code = await new Promise<number>((resolve) => {
        const link = startAgentLink({
          hubUrl: hub.url,
          enrollToken: 'x'.repeat(43),
          identity: new AgentIdentity(dir.dir),
          localUrl: 'http://127.0.0.1:9',
          internal: internalAuth(),
          version: '9.9.9',
          log,
          protocol: 2,
          onFatal: (c) => {
            link.close();
            resolve(c);
          },
        });
      });
      expect(code).toBe(EXIT_PROTOCOL);
      expect(lines.join('')).toContain(
        'the hub refused this agent: PROTOCOL: hub speaks protocol 1, agent 2',
      );
    } finally {
      dir.cleanup();
    }
  });

  it('stores no secret of the agent on the hub: only its public key (and no token)', () => {
    const privateKey = readFileSync(path.join(agentData(), AGENT_KEY_FILE), 'utf8');
    const keyBody = privateKey.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
    const db = new BetterSqlite3(path.join(hub.config.dataDir, DATABASE_FILE), { readonly: true });
    try {
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all();
      const found: string[] = [];
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>) {
          for (const [column, value] of Object.entries(row)) {
            const text = Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
            if (text.includes(keyBody) || text.includes(token)) found.push(`${name}.${column}`);
          }
        }
      }
      expect(found).toEqual([]);
      const row = db.prepare('SELECT public_key, token_hash FROM hosts WHERE id = ?').get(hostId) as {
        public_key: string;
        token_hash: string | null;
      };
      expect(row.public_key).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      expect(row.token_hash).toBeNull();
    } finally {
      db.close();
    }
  });

  it('revokes the host: the agent is cut off at once, stops, and cannot reconnect', async () => {
    await hub.agent.delete(`/api/hosts/${hostId}`).expect(200);
    await expect.poll(() => watch.stacks.has(`${hostId}/${STACK}`)).toBe(false);
    expect(await agent!.exited).toBe(4);
    expect(agent!.logs.find((l) => /refused/.test(l.msg))).toMatchObject({ code: 'REVOKED' });
    const again = startAgent();
    expect(await again.exited).toBe(4);
    await hub.agent.get(hosted('/stacks')).expect(404);
  });
});
