/**
 * The option table of `docker run` / `docker create` (docker CLI 28), plus the podman options
 * README commands use. Knowing every option's arity is what lets the parser tell an option's
 * value from the image name.
 */

export type Arity = 'flag' | 'value';

export interface RunOptionSpec {
  /** Canonical long name, without dashes. */
  name: string;
  arity: Arity;
  short?: string;
}

const VALUE = [
  'add-host',
  'annotation',
  'attach:a',
  'blkio-weight',
  'blkio-weight-device',
  'cap-add',
  'cap-drop',
  'cgroup-parent',
  'cgroupns',
  'cidfile',
  'cpu-count',
  'cpu-percent',
  'cpu-period',
  'cpu-quota',
  'cpu-rt-period',
  'cpu-rt-runtime',
  'cpu-shares:c',
  'cpus',
  'cpuset-cpus',
  'cpuset-mems',
  'credentialspec',
  'detach-keys',
  'device',
  'device-cgroup-rule',
  'device-read-bps',
  'device-read-iops',
  'device-write-bps',
  'device-write-iops',
  'dns',
  'dns-option',
  'dns-search',
  'domainname',
  'entrypoint',
  'env:e',
  'env-file',
  'expose',
  'gpus',
  'group-add',
  'health-cmd',
  'health-interval',
  'health-retries',
  'health-start-interval',
  'health-start-period',
  'health-timeout',
  'hostname:h',
  'io-maxbandwidth',
  'io-maxiops',
  'ip',
  'ip6',
  'ipc',
  'isolation',
  'kernel-memory',
  'label:l',
  'label-file',
  'link',
  'link-local-ip',
  'log-driver',
  'log-opt',
  'mac-address',
  'memory:m',
  'memory-reservation',
  'memory-swap',
  'memory-swappiness',
  'mount',
  'name',
  'network',
  'network-alias',
  'oom-score-adj',
  'pid',
  'pids-limit',
  'platform',
  'publish:p',
  'pull',
  'restart',
  'runtime',
  'security-opt',
  'shm-size',
  'stop-signal',
  'stop-timeout',
  'storage-opt',
  'sysctl',
  'tmpfs',
  'ulimit',
  'user:u',
  'userns',
  'uts',
  'volume:v',
  'volume-driver',
  'volumes-from',
  'workdir:w',
  // podman
  'pod',
  'systemd',
  'tz',
  'secret',
  'sdnotify',
  'requires',
  'health-on-failure',
  'uidmap',
  'gidmap',
  'subuidname',
  'subgidname',
  'image-volume',
  'pod-id-file',
  'conmon-pidfile',
  'cgroups',
  'arch',
  'os',
  'variant',
  'umask',
  'timeout',
  'chrootdirs',
  'passwd-entry',
  'group-entry',
  'hostuser',
  'personality',
  'seccomp-policy',
  'unsetenv',
  'decryption-key',
  'authfile',
  'cert-dir',
  'creds',
  'log-level',
];

const FLAG = [
  'detach:d',
  'disable-content-trust',
  'help',
  'init',
  'interactive:i',
  'no-healthcheck',
  'oom-kill-disable',
  'privileged',
  'publish-all:P',
  'quiet:q',
  'read-only',
  'rm',
  'sig-proxy',
  'tty:t',
  'use-api-socket',
  // podman
  'replace',
  'rootfs',
  'env-host',
  'http-proxy',
  'read-only-tmpfs',
  'no-hosts',
  'no-hostname',
  'passwd',
  'rmi',
  'tls-verify',
  'unsetenv-all',
];

/** Old or alternative spellings docker still accepts. */
const ALIASES: Record<string, string> = {
  net: 'network',
  'net-alias': 'network-alias',
  'dns-opt': 'dns-option',
  cpuset: 'cpuset-cpus',
  'health-startup-interval': 'health-start-interval',
};

function table(): { long: Map<string, RunOptionSpec>; short: Map<string, RunOptionSpec> } {
  const long = new Map<string, RunOptionSpec>();
  const short = new Map<string, RunOptionSpec>();
  const add = (entry: string, arity: Arity) => {
    const [name = '', letter] = entry.split(':');
    const spec: RunOptionSpec = letter ? { name, arity, short: letter } : { name, arity };
    long.set(name, spec);
    if (letter) short.set(letter, spec);
  };
  for (const e of VALUE) add(e, 'value');
  for (const e of FLAG) add(e, 'flag');
  for (const [alias, name] of Object.entries(ALIASES)) {
    const spec = long.get(name);
    if (spec) long.set(alias, spec);
  }
  return { long, short };
}

const OPTIONS = table();

export function longOption(name: string): RunOptionSpec | undefined {
  return OPTIONS.long.get(name);
}

export function shortOption(letter: string): RunOptionSpec | undefined {
  return OPTIONS.short.get(letter);
}

/** Options of the docker/podman program itself, before `run`: name -> takes a value. */
export const GLOBAL_OPTIONS: Record<string, Arity> = {
  config: 'value',
  context: 'value',
  c: 'value',
  debug: 'flag',
  D: 'flag',
  host: 'value',
  H: 'value',
  'log-level': 'value',
  l: 'value',
  tls: 'flag',
  tlscacert: 'value',
  tlscert: 'value',
  tlskey: 'value',
  tlsverify: 'flag',
  // podman
  remote: 'flag',
  r: 'flag',
  connection: 'value',
  url: 'value',
  root: 'value',
  runroot: 'value',
  'storage-driver': 'value',
  'cgroup-manager': 'value',
  'events-backend': 'value',
  identity: 'value',
};
