import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { DockerEngineClient } from '../../server/src/engine/engine-client.js';
import { TEST_IMAGE } from './engine.js';

const run = promisify(execFile);

export interface SecondEngine {
  /** unix socket path */
  socket: string;
  /** DOCKER_HOST value */
  host: string;
  dir: string;
  /** The daemon.json it was started with (address pools), for Berth's dockerDaemonConfig. */
  daemonConfig: string;
  docker(args: string[]): Promise<string>;
  client(): DockerEngineClient;
  stop(): Promise<void>;
}

export interface SecondEngineOptions {
  /** Short tag for the folder: /tmp/b2-<tag>-<pid>. */
  tag: string;
  /** default-address-pools of the daemon, e.g. [{base: '10.123.0.0/24', size: 28}]. */
  addressPools?: { base: string; size: number }[];
  /** Images of the main engine to load into it (default: the test busybox). */
  images?: string[];
  /** Extra environment of the daemon (e.g. DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1). */
  env?: Record<string, string>;
}

/** `docker save <images> | docker -H <host> load`, without a shell. */
async function copyImages(images: string[], host: string): Promise<void> {
  const save = spawn('docker', ['save', ...images], { stdio: ['ignore', 'pipe', 'inherit'] });
  const load = spawn('docker', ['-H', host, 'load', '-q'], { stdio: ['pipe', 'ignore', 'inherit'] });
  save.stdout.pipe(load.stdin);
  const exit = (p: ChildProcess) =>
    new Promise<number>((resolve, reject) => {
      p.on('error', reject);
      p.on('exit', (code) => resolve(code ?? 1));
    });
  const [a, b] = await Promise.all([exit(save), exit(load)]);
  if (a !== 0 || b !== 0) throw new Error(`copying ${images.join(', ')} into ${host} failed (${a}/${b})`);
}

/**
 * A private dockerd (own data root, exec root and socket; no default bridge, no iptables) for
 * tests that do engine-wide things (prune, pool exhaustion, swarm) without touching the shared
 * engine. Stop it in afterAll.
 */
export async function startSecondEngine(options: SecondEngineOptions): Promise<SecondEngine> {
  const dir = `/tmp/b2-${options.tag}-${process.pid}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const socket = `${dir}/docker.sock`;
  const host = `unix://${socket}`;
  const daemonConfig = `${dir}/daemon.json`;
  writeFileSync(
    daemonConfig,
    JSON.stringify(options.addressPools ? { 'default-address-pools': options.addressPools } : {}),
  );
  const log = openSync(`${dir}/dockerd.log`, 'a');
  // A default bridge of its own: with `--bridge none` dockerd deletes the host's docker0 at start,
  // which breaks the shared engine's default network (docker run, docker build) for everyone.
  const bridge = `b2${options.tag}${process.pid}`.slice(0, 15);
  const octet = 16 + (process.pid % 200);
  await run('ip', ['link', 'del', bridge]).catch(() => undefined);
  await run('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  await run('ip', ['addr', 'add', `10.213.${octet}.1/24`, 'dev', bridge]);
  await run('ip', ['link', 'set', 'dev', bridge, 'up']);
  await removeLeftoverVxlans();
  const dockerd = spawn(
    'dockerd',
    [
      '--data-root',
      `${dir}/data`,
      '--exec-root',
      `${dir}/exec`,
      '-H',
      host,
      '--pidfile',
      `${dir}/pid`,
      '--config-file',
      daemonConfig,
      '--bridge',
      bridge,
      '--iptables=false',
    ],
    { stdio: ['ignore', log, log], env: { ...process.env, ...options.env } },
  );
  let exited = false;
  const exitedP = new Promise<void>((resolve) => dockerd.on('exit', () => ((exited = true), resolve())));
  const docker = async (args: string[]) =>
    (await run('docker', ['-H', host, ...args], { timeout: 120_000 })).stdout.trim();

  const until = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`the second dockerd exited at start; see ${dir}/dockerd.log`);
    try {
      await docker(['info', '--format', '{{.ServerVersion}}']);
      break;
    } catch {
      if (Date.now() > until) throw new Error(`the second dockerd did not answer; see ${dir}/dockerd.log`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const stop = async () => {
    if (!exited) {
      // Its bridges live in the host's network namespace and outlive dockerd: remove its
      // containers and networks first, or their routes block the same subnets for everyone.
      try {
        const ids = (await docker(['ps', '-aq'])).split('\n').filter((x) => x);
        if (ids.length > 0) await docker(['rm', '-f', ...ids]);
        await docker(['network', 'prune', '-f']);
      } catch {
        // the engine is going down anyway
      }
      dockerd.kill('SIGTERM');
      const timer = setTimeout(() => dockerd.kill('SIGKILL'), 20_000);
      await exitedP;
      clearTimeout(timer);
    }
    await run('ip', ['link', 'del', bridge]).catch(() => undefined);
    await removeLeftoverVxlans();
    // Swarm's load-balancer namespaces (exec/netns/lb_*) can stay mounted after dockerd ends:
    // unmount what is left below the dir (deepest first), then remove it.
    const mounts = readFileSync('/proc/self/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' ')[1] ?? '')
      .filter((m) => m.startsWith(`${dir}/`))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) await run('umount', ['-l', m]).catch(() => undefined);
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // a busy leftover in /tmp harms no test; failing the suite for it would
    }
  };
  try {
    await copyImages(options.images ?? [TEST_IMAGE], host);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    socket,
    host,
    dir,
    daemonConfig,
    docker,
    client: () => new DockerEngineClient({ socketPath: socket }),
    stop,
  };
}

/**
 * Swarm's overlay networks make vxlan links (vx-<vni>-<id>) that live in their sandboxes; one
 * left in the host's namespace is a leftover of a dockerd that went away. A later swarm engine
 * numbers its networks from the same VNIs, and its tasks are then rejected with "error creating
 * vxlan interface: file exists". Removed before a test engine starts and after it stops.
 */
async function removeLeftoverVxlans(): Promise<void> {
  const { stdout } = await run('ip', ['-o', 'link', 'show', 'type', 'vxlan']).catch(() => ({ stdout: '' }));
  const names = stdout
    .split('\n')
    .map((line) => /^\d+:\s+(vx-[^:@\s]+)/.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);
  for (const name of names) await run('ip', ['link', 'del', name]).catch(() => undefined);
}
