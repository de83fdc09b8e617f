import type { GivenOption, ResourceCommand, RunCommand } from './run-parser.js';
import type { Word } from './shell-words.js';
import type { WordExpander } from './word-expander.js';

/** A compose mapping as plain data; key order is the order written. */
export type ComposeMap = Record<string, unknown>;

export interface MapContext {
  x: WordExpander;
  /** The service this command becomes. */
  service: string;
  /** Container name (`--name`) -> service name, for every run command of the paste. */
  containers: ReadonlyMap<string, string>;
  /** `docker network create` / `docker volume create` commands of the paste, by name. */
  resources: ReadonlyMap<string, ResourceCommand>;
}

export interface MappedService {
  service: ComposeMap;
  /** Top-level volumes this service needs declared, with their definitions (null: defaults). */
  volumes: Map<string, ComposeMap | null>;
  networks: Map<string, ComposeMap | null>;
  warnings: string[];
}

/** Keys in the order an expert tends to write them; others follow in the order given. */
const KEY_ORDER = [
  'image',
  'container_name',
  'hostname',
  'domainname',
  'platform',
  'pull_policy',
  'restart',
  'user',
  'working_dir',
  'entrypoint',
  'command',
  'ports',
  'expose',
  'volumes',
  'volumes_from',
  'tmpfs',
  'environment',
  'env_file',
  'labels',
  'label_file',
  'annotations',
  'network_mode',
  'networks',
  'links',
  'external_links',
  'extra_hosts',
  'dns',
  'dns_search',
  'dns_opt',
];
const KEY_TAIL = ['healthcheck', 'logging', 'deploy'];

const LIST_KEYS: Record<string, string> = {
  dns: 'dns',
  'dns-search': 'dns_search',
  'cap-add': 'cap_add',
  'cap-drop': 'cap_drop',
  device: 'devices',
  'group-add': 'group_add',
  'security-opt': 'security_opt',
  'device-cgroup-rule': 'device_cgroup_rules',
  'dns-option': 'dns_opt',
};

const NETWORK_MODES = new Set(['host', 'none', 'bridge', 'default']);
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Why compose has no equivalent, for options that cannot be expressed. */
const INEXPRESSIBLE: Record<string, string> = {
  rm: 'compose keeps its containers; `docker compose run --rm` is the one-off equivalent',
  attach: 'compose attaches to the output of every service',
  'detach-keys': 'compose has no detach keys',
  'sig-proxy': 'compose has no signal proxy setting',
  cidfile: 'compose writes no container id file',
  'publish-all': 'compose cannot publish every exposed port; list them with `ports`',
  'disable-content-trust': 'compose has no content trust setting',
  'use-api-socket': 'compose has no such option; mount /var/run/docker.sock if the service needs the API',
  'kernel-memory': 'kernel memory limits are deprecated and compose has none',
  'cpuset-mems': 'compose has no cpuset-mems setting',
  'io-maxbandwidth': 'compose has no io-maxbandwidth setting (Windows only)',
  'io-maxiops': 'compose has no io-maxiops setting (Windows only)',
  credentialspec: 'set `credential_spec` by hand (Windows only)',
  help: 'it prints help instead of running',
};

const toInt = (v: string): number | string => (/^-?\d+$/.test(v) ? Number(v) : v);
const toNumber = (v: string): number | string => (/^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v);

/** Splits `key=value` at the first `=`; null value when there is none. */
function keyValue(s: string): [string, string | null] {
  const eq = s.indexOf('=');
  return eq < 0 ? [s, null] : [s.slice(0, eq), s.slice(eq + 1)];
}

/** The docker CLI reads `--mount` and `--gpus` as one CSV record (quotes group commas). */
export function csvFields(s: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === '"') {
      if (quoted && s[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = !quoted;
    } else if (c === ',' && !quoted) {
      out.push(field);
      field = '';
    } else field += c;
  }
  out.push(field);
  return out.filter((f) => f !== '');
}

/** `o[key]` as a mapping, created when missing. */
function child(o: ComposeMap, key: string): ComposeMap {
  const cur = o[key];
  if (cur && typeof cur === 'object' && !Array.isArray(cur)) return cur as ComposeMap;
  const fresh: ComposeMap = {};
  o[key] = fresh;
  return fresh;
}

/** Appends to the list `o[key]`, created when missing. */
function append(o: ComposeMap, key: string, value: unknown): void {
  const cur = o[key];
  if (Array.isArray(cur)) cur.push(value);
  else o[key] = [value];
}

/** Is the source of `-v source:target` a volume name (not a path)? */
function isVolumeName(source: string): boolean {
  return VOLUME_NAME.test(source) && !source.includes('/');
}

class ServiceBuilder {
  readonly s: ComposeMap = {};
  readonly volumes = new Map<string, ComposeMap | null>();
  readonly networks = new Map<string, ComposeMap | null>();
  readonly warnings: string[] = [];

  list(key: string, value: unknown): void {
    append(this.s, key, value);
  }

  map(key: string): ComposeMap {
    return child(this.s, key);
  }

  nested(...path: string[]): ComposeMap {
    return path.reduce(child, this.s);
  }

  warn(option: string, why: string): void {
    this.warnings.push(`\`${option}\` cannot be expressed in compose and was left out: ${why}`);
  }
}

/** Maps one parsed `docker run` to a compose service. */
export function mapService(run: RunCommand, ctx: MapContext): MappedService {
  const b = new ServiceBuilder();
  const { x } = ctx;
  const str = (w: Word) => x.compose(w);
  b.s.image = str(run.image);

  /** The networks of `--network`, in order, each with its own settings. */
  const nets: Array<{ name: string; settings: ComposeMap }> = [];
  const primary = (): ComposeMap | null => nets[0]?.settings ?? null;
  const perNetwork: Array<{ option: string; key: string; value: string }> = [];
  let volumeDriver: string | null = null;
  const namedVolumes: string[] = [];
  const health: ComposeMap = {};
  let noHealthcheck = false;

  const containerRef = (value: string): string | null => {
    const m = /^container:(.+)$/.exec(value);
    const svc = m?.[1] ? ctx.containers.get(m[1]) : undefined;
    return svc ? `service:${svc}` : null;
  };

  for (const o of run.options) {
    if (o.kind === 'unknown') {
      b.warnings.push(
        `unknown option \`${o.written}\` was left out${o.word ? ` with its value \`${x.plain(o.word)}\`` : ' (read as a flag without a value)'}`,
      );
      continue;
    }
    if (o.kind === 'flag') {
      mapFlag(b, o);
      if (o.name === 'no-healthcheck' && o.on) noHealthcheck = true;
      continue;
    }
    const v = str(o.word);
    switch (o.name) {
      case 'name':
        b.s.container_name = v;
        break;
      case 'hostname':
      case 'domainname':
      case 'user':
      case 'platform':
      case 'runtime':
      case 'isolation':
      case 'uts':
      case 'restart':
        b.s[o.name] = v;
        break;
      case 'mac-address':
        b.s.mac_address = v;
        break;
      case 'cgroup-parent':
        b.s.cgroup_parent = v;
        break;
      case 'cgroupns':
        b.s.cgroup = v;
        break;
      case 'userns':
        b.s.userns_mode = v;
        break;
      case 'workdir':
        if (isContainerPath(v)) b.s.working_dir = v;
        else
          b.warn(
            `${o.written} ${x.plain(o.word)}`,
            `the working directory must be an absolute path, not \`${v}\``,
          );
        break;
      case 'stop-signal':
        b.s.stop_signal = v;
        break;
      case 'stop-timeout':
        b.s.stop_grace_period = /^\d+$/.test(v) ? `${v}s` : v;
        break;
      case 'pull':
        b.s.pull_policy = v;
        break;
      case 'ipc':
      case 'pid':
        b.s[o.name] = containerRef(v) ?? v;
        break;
      case 'entrypoint':
        // docker takes the whole string as the program (no splitting); "" clears the image's.
        b.s.entrypoint = [v];
        if (/\s/.test(v)) {
          b.warnings.push(
            `\`--entrypoint\` is one program path for docker, spaces included; put its arguments after the image (\`command\`)`,
          );
        }
        break;
      case 'publish':
        b.list('ports', v.includes('=') ? longPort(v) : v);
        break;
      case 'expose':
        b.list('expose', v);
        break;
      case 'volume':
        mapVolume(b, v, namedVolumes);
        break;
      case 'mount':
        mapMount(b, o.written, v, namedVolumes);
        break;
      case 'tmpfs':
        b.list('tmpfs', v);
        break;
      case 'volumes-from': {
        const [name = '', mode] = v.split(':');
        const svc = ctx.containers.get(name);
        b.list('volumes_from', (svc ?? `container:${name}`) + (mode ? `:${mode}` : ''));
        break;
      }
      case 'volume-driver':
        volumeDriver = v;
        break;
      case 'env': {
        const [key, value] = keyValue(v);
        b.map('environment')[key] = value ?? passThrough(key, run, ctx, b);
        break;
      }
      case 'env-file':
        b.list('env_file', v);
        break;
      case 'label': {
        const [key, value] = keyValue(v);
        b.map('labels')[key] = value ?? '';
        break;
      }
      case 'label-file':
        b.list('label_file', v);
        break;
      case 'annotation': {
        const [key, value] = keyValue(v);
        b.map('annotations')[key] = value ?? '';
        break;
      }
      case 'network':
        mapNetwork(b, v, nets, ctx);
        break;
      case 'network-alias':
        perNetwork.push({ option: o.written, key: 'aliases', value: v });
        break;
      case 'ip':
        perNetwork.push({ option: o.written, key: 'ipv4_address', value: v });
        break;
      case 'ip6':
        perNetwork.push({ option: o.written, key: 'ipv6_address', value: v });
        break;
      case 'link-local-ip':
        perNetwork.push({ option: o.written, key: 'link_local_ips', value: v });
        break;
      case 'link': {
        const [name = '', alias] = v.split(':');
        const svc = ctx.containers.get(name);
        if (svc) b.list('links', alias ? `${svc}:${alias}` : svc);
        else b.list('external_links', v);
        break;
      }
      case 'add-host':
        b.list('extra_hosts', v);
        break;
      case 'dns':
      case 'dns-search':
      case 'cap-add':
      case 'cap-drop':
      case 'device':
      case 'group-add':
      case 'security-opt':
      case 'device-cgroup-rule':
      case 'dns-option':
        b.list(LIST_KEYS[o.name] ?? o.name, v);
        break;
      case 'memory':
        b.s.mem_limit = v;
        break;
      case 'memory-reservation':
        b.s.mem_reservation = v;
        break;
      case 'memory-swap':
        b.s.memswap_limit = toInt(v);
        break;
      case 'memory-swappiness':
        b.s.mem_swappiness = toInt(v);
        break;
      case 'shm-size':
        b.s.shm_size = v;
        break;
      case 'cpus':
        b.s.cpus = toNumber(v);
        break;
      case 'cpuset-cpus':
        b.s.cpuset = v;
        break;
      case 'cpu-shares':
      case 'cpu-period':
      case 'cpu-quota':
      case 'cpu-rt-period':
      case 'cpu-rt-runtime':
      case 'cpu-count':
      case 'cpu-percent':
      case 'pids-limit':
      case 'oom-score-adj':
        b.s[o.name.replace(/-/g, '_')] = toInt(v);
        break;
      case 'blkio-weight':
        b.nested('blkio_config').weight = toInt(v);
        break;
      case 'blkio-weight-device': {
        const at = v.lastIndexOf(':');
        const entry = { path: v.slice(0, at), weight: toInt(v.slice(at + 1)) };
        append(b.nested('blkio_config'), 'weight_device', entry);
        break;
      }
      case 'device-read-bps':
      case 'device-write-bps':
      case 'device-read-iops':
      case 'device-write-iops': {
        const at = v.lastIndexOf(':');
        const key = o.name.replace(/-/g, '_');
        const rate = v.slice(at + 1);
        const entry = { path: v.slice(0, at), rate: key.endsWith('iops') ? toInt(rate) : rate };
        append(b.nested('blkio_config'), key, entry);
        break;
      }
      case 'storage-opt': {
        const [key, value] = keyValue(v);
        b.map('storage_opt')[key] = value ?? '';
        break;
      }
      case 'sysctl': {
        const [key, value] = keyValue(v);
        b.map('sysctls')[key] = value ?? '';
        break;
      }
      case 'ulimit':
        mapUlimit(b, o.written, v);
        break;
      case 'health-cmd':
        health.test = ['CMD-SHELL', v];
        break;
      case 'health-interval':
        health.interval = v;
        break;
      case 'health-timeout':
        health.timeout = v;
        break;
      case 'health-start-period':
        health.start_period = v;
        break;
      case 'health-start-interval':
        health.start_interval = v;
        break;
      case 'health-retries':
        health.retries = toInt(v);
        break;
      case 'log-driver':
        b.nested('logging').driver = v;
        break;
      case 'log-opt': {
        const [key, value] = keyValue(v);
        b.nested('logging', 'options')[key] = value ?? '';
        break;
      }
      case 'gpus':
        mapGpus(b, v);
        break;
      default:
        if (INEXPRESSIBLE[o.name]) b.warn(o.written, INEXPRESSIBLE[o.name] as string);
        else b.warn(`${o.written} ${x.plain(o.word)}`, `\`${run.tool} run\` option with no compose key`);
    }
  }

  if (perNetwork.length > 0) {
    const settings = primary();
    if (!settings) {
      for (const p of perNetwork) {
        b.warn(
          p.option,
          'it needs a user-defined network (`--network`); the default network gets no such settings',
        );
      }
    } else {
      for (const p of perNetwork) {
        if (p.key === 'aliases' || p.key === 'link_local_ips') append(settings, p.key, p.value);
        else settings[p.key] = p.value;
      }
    }
  }
  if (nets.length > 0) {
    const simple = nets.every((n) => Object.keys(n.settings).length === 0);
    b.s.networks = simple
      ? nets.map((n) => n.name)
      : Object.fromEntries(nets.map((n) => [n.name, Object.keys(n.settings).length ? n.settings : null]));
  }

  for (const name of namedVolumes) {
    const created = ctx.resources.get(`volume:${name}`);
    const def: ComposeMap = created ? resourceDefinition(created, x) : {};
    if (volumeDriver && def.driver === undefined) def.driver = volumeDriver;
    const known = b.volumes.get(name);
    b.volumes.set(name, { ...(known ?? {}), ...def });
  }
  for (const [name, def] of b.volumes) if (def && Object.keys(def).length === 0) b.volumes.set(name, null);
  if (volumeDriver && namedVolumes.length === 0) {
    b.warn('--volume-driver', 'no named volume of this command uses it');
  }

  if (noHealthcheck) {
    if (Object.keys(health).length > 0)
      b.warnings.push('`--no-healthcheck` wins over the `--health-*` options given');
    b.s.healthcheck = { disable: true };
  } else if (Object.keys(health).length > 0) {
    b.s.healthcheck = health;
  }

  if (run.args.length > 0) b.s.command = run.args.map(str);
  if (run.subcommand === 'service') {
    // `--name` names the swarm service (the compose service name), not one container.
    delete b.s.container_name;
    mapSwarm(b, run, str);
  }
  if (b.s.network_mode === 'host' && b.s.ports !== undefined) {
    const ports = (b.s.ports as unknown[]).map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
    delete b.s.ports;
    b.warnings.push(
      `published ports ${ports.map((p) => `\`${p}\``).join(', ')} were dropped: with \`--network host\` the container uses the host's ports directly and the engine ignores \`-p\``,
    );
  }
  foldResources(b);
  if (run.subcommand === 'create') {
    b.warnings.push('`docker create` only creates the container; `docker compose up` also starts it');
  }
  for (const n of run.notes) b.warnings.push(n);

  return { service: ordered(b.s), volumes: b.volumes, networks: b.networks, warnings: b.warnings };
}

/** `published=8080,target=80,protocol=udp,mode=host` (service syntax) -> a long-syntax port. */
function longPort(spec: string): ComposeMap {
  const given = new Map(spec.split(',').map((part) => part.split('=') as [string, string | undefined]));
  const port: ComposeMap = {};
  if (given.has('target')) port.target = Number(given.get('target'));
  for (const k of ['published', 'protocol', 'mode']) if (given.get(k)) port[k] = given.get(k);
  return port;
}

const SWARM_SECTIONS: Record<string, [string, Record<string, string>]> = {
  update: ['update_config', {}],
  rollback: ['rollback_config', {}],
  restart: ['restart_policy', {}],
};
const NUMERIC = new Set([
  'replicas',
  'parallelism',
  'max_attempts',
  'max_failure_ratio',
  'max_replicas_per_node',
  'pids',
]);

/** `docker service create` options into `deploy:` (replicas, mode, placement, update/rollback/restart, resources). */
function mapSwarm(b: ServiceBuilder, run: RunCommand, str: (w: Word) => string): void {
  const deploy: ComposeMap = typeof b.s.deploy === 'object' && b.s.deploy ? (b.s.deploy as ComposeMap) : {};
  const value = (key: string, v: string): unknown =>
    NUMERIC.has(key) && /^\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  for (const { name, word } of run.swarm) {
    const v = str(word);
    const dash = name.indexOf('-');
    const head = dash < 0 ? name : name.slice(0, dash);
    const tail = (dash < 0 ? '' : name.slice(dash + 1)).replace(/-/g, '_');
    const section = SWARM_SECTIONS[head];
    if (name === 'replicas' || name === 'mode') deploy[name] = value(name, v);
    else if (name === 'endpoint-mode') deploy.endpoint_mode = v;
    else if (name === 'constraint') append(child(deploy, 'placement'), 'constraints', v);
    else if (name === 'placement-pref') {
      const [k = 'spread', pv = ''] = v.split('=');
      append(child(deploy, 'placement'), 'preferences', { [k]: pv });
    } else if (name === 'replicas-max-per-node')
      child(deploy, 'placement').max_replicas_per_node = value('max_replicas_per_node', v);
    else if (section) {
      const key = name === 'restart-condition' ? 'condition' : tail;
      child(deploy, section[0])[key] = value(key, v);
    } else if (head === 'limit' || head === 'reserve') {
      const block = child(child(deploy, 'resources'), head === 'limit' ? 'limits' : 'reservations');
      const key = tail === 'cpus' ? 'cpus' : tail;
      block[key] = value(key, v);
    } else if (name === 'service-label') {
      const [k = '', lv] = keyValue(v);
      child(deploy, 'labels')[k] = lv ?? '';
    } else if (name === 'publish') b.list('ports', v.includes('=') ? longPort(v) : v);
    else b.warn(`--${name}`, 'compose has no such setting for a single service; add it by hand if needed');
  }
  if (Object.keys(deploy).length > 0) b.s.deploy = deploy;
  b.warnings.push(
    '`docker service create` is for swarm: `docker compose up` uses replicas, resources and restart_policy of `deploy:`; the rest counts for `docker stack deploy`',
  );
}

/**
 * compose refuses `mem_limit`/`cpus`/`pids_limit`/`mem_reservation` next to a `deploy.resources`
 * block that does not say the same: once the block exists (`--gpus`, service limits), they move
 * into it.
 */
function foldResources(b: ServiceBuilder): void {
  const resources = (b.s.deploy as ComposeMap | undefined)?.resources as ComposeMap | undefined;
  if (!resources) return;
  const moves: Array<[string, string, string]> = [
    ['mem_limit', 'limits', 'memory'],
    ['cpus', 'limits', 'cpus'],
    ['pids_limit', 'limits', 'pids'],
    ['mem_reservation', 'reservations', 'memory'],
  ];
  for (const [own, blockName, key] of moves) {
    if (b.s[own] === undefined || resources[blockName] === undefined) continue;
    const block = resources[blockName] as ComposeMap;
    if (block[key] === undefined) block[key] = b.s[own];
    else
      b.warnings.push(
        `\`${own}\` was dropped: \`deploy.resources.${blockName}.${key}\` says ${String(block[key])}`,
      );
    delete b.s[own];
  }
}

function ordered(s: ComposeMap): ComposeMap {
  const rank = (k: string) => {
    const i = KEY_ORDER.indexOf(k);
    if (i >= 0) return i;
    const t = KEY_TAIL.indexOf(k);
    return t >= 0 ? 1000 + t : 500;
  };
  return Object.fromEntries(
    Object.entries(s)
      .map((e, i) => ({ e, i }))
      .sort((a, b) => rank(a.e[0]) - rank(b.e[0]) || a.i - b.i)
      .map(({ e }) => e),
  );
}

function mapFlag(b: ServiceBuilder, o: Extract<GivenOption, { kind: 'flag' }>): void {
  const booleans: Record<string, string> = {
    init: 'init',
    interactive: 'stdin_open',
    tty: 'tty',
    privileged: 'privileged',
    'read-only': 'read_only',
    'oom-kill-disable': 'oom_kill_disable',
  };
  const key = booleans[o.name];
  if (key) {
    // Off is docker's default too; only a daemon-wide default (`"init": true`) would differ.
    if (o.on) b.s[key] = true;
    else if (o.name === 'init') b.s.init = false;
    return;
  }
  if (o.name === 'detach' || o.name === 'quiet' || o.name === 'no-healthcheck') return;
  if (o.name === 'rm' && !o.on) return;
  if (o.name === 'sig-proxy' && o.on) return;
  if (o.name === 'disable-content-trust' && o.on) return;
  const why = INEXPRESSIBLE[o.name] ?? 'a podman option compose has no key for';
  b.warn(o.on ? o.written : `${o.written}=false`, why);
}

function passThrough(key: string, run: RunCommand, ctx: MapContext, b: ServiceBuilder): string | null {
  const given = run.env.get(key) ?? (ctx.x.exported.has(key) ? ctx.x.scope.get(key) : undefined);
  if (given) return ctx.x.compose(given);
  b.warnings.push(
    `\`-e ${key}\` takes ${key} from the environment: compose reads it from the stack's .env or the environment it runs in`,
  );
  return null;
}

/** Absolute, or a compose variable that may hold one. */
function isContainerPath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('${');
}

function mapVolume(b: ServiceBuilder, v: string, named: string[]): void {
  const parts = v.split(':');
  const source = parts[0] as string;
  const target = parts.length >= 2 ? (parts[1] as string) : source;
  if (!isContainerPath(target)) {
    b.warn(`-v ${v}`, `the container path must be absolute, not \`${target}\``);
    return;
  }
  if (parts.length >= 2 && isVolumeName(source)) named.push(source);
  else if (parts.length >= 2 && !/^[/.~$]/.test(source) && !/^[A-Za-z]$/.test(source)) {
    // docker refuses such a source too; a relative path keeps it visible and compose-valid.
    b.warnings.push(`\`${source}\` is neither a path nor a volume name; written as \`./${source}\``);
    b.list('volumes', `./${v}`);
    return;
  }
  b.list('volumes', v);
}

function mapMount(b: ServiceBuilder, written: string, v: string, named: string[]): void {
  const m: ComposeMap = {};
  const bind: ComposeMap = {};
  const volume: ComposeMap = {};
  const tmpfs: ComposeMap = {};
  const top: ComposeMap = {};
  let type = 'volume';
  for (const field of csvFields(v)) {
    const [rawKey, value] = keyValue(field);
    const key = rawKey.trim().toLowerCase();
    const on = value === null || ['true', '1'].includes(value.toLowerCase());
    switch (key) {
      case 'type':
        type = value ?? 'volume';
        break;
      case 'source':
      case 'src':
        m.source = value ?? '';
        break;
      case 'target':
      case 'destination':
      case 'dst':
        m.target = value ?? '';
        break;
      case 'readonly':
      case 'ro':
        if (on) m.read_only = true;
        break;
      case 'consistency':
        m.consistency = value ?? '';
        break;
      case 'bind-propagation':
        bind.propagation = value ?? '';
        break;
      case 'bind-nonrecursive':
        if (on) bind.recursive = 'disabled';
        break;
      case 'bind-recursive':
        bind.recursive = value ?? 'enabled';
        break;
      case 'volume-nocopy':
        if (on) volume.nocopy = true;
        break;
      case 'volume-subpath':
        volume.subpath = value ?? '';
        break;
      case 'volume-driver':
        top.driver = value ?? '';
        break;
      case 'volume-opt': {
        const [k, val] = keyValue(value ?? '');
        child(top, 'driver_opts')[k] = val ?? '';
        break;
      }
      case 'volume-label': {
        const [k, val] = keyValue(value ?? '');
        child(top, 'labels')[k] = val ?? '';
        break;
      }
      case 'tmpfs-size':
        tmpfs.size = toInt(value ?? '');
        break;
      case 'tmpfs-mode':
        // docker reads the mode as octal.
        tmpfs.mode = /^[0-7]+$/.test(value ?? '') ? parseInt(value as string, 8) : (value ?? '');
        break;
      default:
        b.warn(`${written} ${key}`, 'compose has no such mount setting');
    }
  }
  if (typeof m.target !== 'string' || !isContainerPath(m.target)) {
    b.warn(`${written} ${v}`, 'the mount needs an absolute target path');
    return;
  }
  const out: ComposeMap = { type, ...m };
  if (Object.keys(bind).length) out.bind = bind;
  if (Object.keys(volume).length) out.volume = volume;
  if (Object.keys(tmpfs).length) out.tmpfs = tmpfs;
  if (type === 'volume' && typeof m.source === 'string' && m.source !== '') {
    named.push(m.source);
    if (Object.keys(top).length) b.volumes.set(m.source, top);
  } else if (Object.keys(top).length) {
    b.warn(
      `${written} volume-driver/volume-opt`,
      'an anonymous volume cannot take driver settings in compose',
    );
  }
  b.list('volumes', out);
}

function mapNetwork(
  b: ServiceBuilder,
  v: string,
  nets: Array<{ name: string; settings: ComposeMap }>,
  ctx: MapContext,
): void {
  // docker 25+: `--network name=web,alias=a,ip=...`
  let name = v;
  const settings: ComposeMap = {};
  if (v.includes('=')) {
    for (const field of csvFields(v)) {
      const [k, val] = keyValue(field);
      const value = val ?? '';
      if (k === 'name') name = value;
      else if (k === 'alias') append(settings, 'aliases', value);
      else if (k === 'ip') settings.ipv4_address = value;
      else if (k === 'ip6') settings.ipv6_address = value;
      else if (k === 'mac-address') settings.mac_address = value;
      else if (k === 'link-local-ip') append(settings, 'link_local_ips', value);
      else if (k === 'driver-opt') {
        const [dk, dv] = keyValue(value);
        child(settings, 'driver_opts')[dk] = dv ?? '';
      } else b.warn(`--network ${k}=`, 'compose has no such network setting');
    }
  }
  if (NETWORK_MODES.has(name) || name.startsWith('container:')) {
    if (nets.length > 0 || b.s.network_mode !== undefined) {
      b.warn(`--network ${name}`, 'a service in network mode cannot join other networks as well');
      return;
    }
    b.s.network_mode =
      name === 'default' ? 'bridge' : name.startsWith('container:') ? (ctxRef(name, ctx) ?? name) : name;
    return;
  }
  if (b.s.network_mode !== undefined) {
    b.warn(`--network ${name}`, 'a service in network mode cannot join other networks as well');
    return;
  }
  nets.push({ name, settings });
  const created = ctx.resources.get(`network:${name}`);
  b.networks.set(name, created ? definitionOrNull(resourceDefinition(created, ctx.x)) : { external: true });
  if (!created) {
    b.warnings.push(
      `network \`${name}\` is declared external: it must exist before \`up\` (\`docker network create ${name}\`)`,
    );
  }
}

function ctxRef(value: string, ctx: MapContext): string | null {
  const svc = ctx.containers.get(value.slice('container:'.length));
  return svc ? `service:${svc}` : null;
}

function definitionOrNull(def: ComposeMap): ComposeMap | null {
  return Object.keys(def).length ? def : null;
}

function mapUlimit(b: ServiceBuilder, written: string, v: string): void {
  const [name, limits] = keyValue(v);
  if (limits === null) {
    b.warn(`${written} ${v}`, 'a ulimit needs name=soft[:hard]');
    return;
  }
  const [soft = '', hard] = limits.split(':');
  b.map('ulimits')[name] = hard === undefined ? toInt(soft) : { soft: toInt(soft), hard: toInt(hard) };
}

/** `--gpus all`, `--gpus 2`, `--gpus '"device=0,1",capabilities=compute'` (docker's rules). */
function mapGpus(b: ServiceBuilder, v: string): void {
  const device: ComposeMap = { driver: 'nvidia' };
  let counted = false;
  const capabilities = ['gpu'];
  for (const field of csvFields(v)) {
    const [key, value] = keyValue(field);
    if (value === null) {
      device.count = key === 'all' ? 'all' : toInt(key);
      counted = true;
    } else if (key === 'count') {
      device.count = value === 'all' ? 'all' : toInt(value);
      counted = true;
    } else if (key === 'driver') device.driver = value;
    else if (key === 'device') device.device_ids = value.split(',');
    else if (key === 'capabilities') capabilities.unshift(...value.split(',').filter((c) => c !== 'gpu'));
    else if (key === 'options') {
      const [ok, ov] = keyValue(value);
      child(device, 'options')[ok] = ov ?? '';
    } else b.warn(`--gpus ${key}=`, 'compose has no such device request setting');
  }
  if (!counted && device.device_ids === undefined) device.count = 1;
  device.capabilities = capabilities;
  append(b.nested('deploy', 'resources', 'reservations'), 'devices', device);
}

/** A `docker network create` / `docker volume create` as a top-level compose definition. */
export function resourceDefinition(r: ResourceCommand, x: WordExpander): ComposeMap {
  const def: ComposeMap = {};
  const val = (w: Word | null) => (w ? x.compose(w) : '');
  if (r.driver) def.driver = val(r.driver);
  const subnets: Array<ComposeMap> = [];
  const fill = (key: string, value: string) => {
    const at = subnets.findIndex((s) => s[key] === undefined);
    if (at >= 0) (subnets[at] as ComposeMap)[key] = value;
    else subnets.push({ [key]: value });
  };
  for (const o of r.options) {
    const v = val(o.word);
    switch (o.name) {
      case 'opt': {
        const [k, value] = keyValue(v);
        child(def, 'driver_opts')[k] = value ?? '';
        break;
      }
      case 'label': {
        const [k, value] = keyValue(v);
        child(def, 'labels')[k] = value ?? '';
        break;
      }
      case 'internal':
      case 'attachable':
        def[o.name] = true;
        break;
      case 'ipv6':
        def.enable_ipv6 = true;
        break;
      case 'subnet':
        subnets.push({ subnet: v });
        break;
      case 'gateway':
        fill('gateway', v);
        break;
      case 'ip-range':
        fill('ip_range', v);
        break;
      case 'ipam-driver':
        child(def, 'ipam').driver = v;
        break;
      default:
        break;
    }
  }
  if (subnets.length) child(def, 'ipam').config = subnets;
  return def;
}
