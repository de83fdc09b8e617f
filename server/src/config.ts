import { mkdirSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { parseWindow } from './updates/update-policy.js';

export interface Config {
  stacksDir: string;
  /** How deep stack folders may sit (`/opt/stacks/media/jellyfin` is depth 2); 1 = direct children. */
  stacksDepth: number;
  dataDir: string;
  port: number;
  host: string;
  adminUser: string | undefined;
  adminPassword: string | undefined;
  logLevel: string;
  /** Express's `trust proxy`: which peers' X-Forwarded-* headers are believed. */
  trustProxy: boolean | number | string;
  /** Between scheduled image update checks; 0 = off. Default 6 h. */
  updateIntervalMs?: number;
  /** Local-time window (`HH:MM-HH:MM`) for `berth.update: auto`; unset = after any scheduled check. */
  updateWindow?: { start: number; end: number } | null;
  /** How long an updated service gets to run and be healthy before it is rolled back. Default 120 s. */
  updateHealthTimeoutMs?: number;
  /** The engine's daemon.json, read for default-address-pools (network pool warnings). */
  dockerDaemonConfig: string;
  /** The engine for dockerode and every docker CLI child (DOCKER_HOST); unset: their defaults. */
  dockerHost?: string;
  /** Template catalogue URLs may reach loopback and private addresses (default: refused). */
  templateImportPrivate?: boolean;
  /** Built-in templates (the example stacks); unset: the `stacks-example` folder Berth ships. */
  builtinTemplatesDir?: string;
  /** Agent mode: the hub to dial out to (http(s) URL); unset: Berth is a hub (or alone). */
  hubUrl?: string;
  /** Agent mode: the one-time enrolment token of the first connection. */
  enrollToken?: string;
  /** The hub's address as agents reach it, for enrolment commands; else the admin's request's. */
  publicUrl?: string;
  /** The local host's name in the hosts list; the machine's hostname when unset. */
  hostName?: string;
}

/** A configuration problem; its message is one line meant for the operator. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

interface Setting {
  key: keyof Config;
  env: string;
  flag?: string;
  schema: z.ZodType;
}

const port = z
  .string()
  .regex(/^\d+$/, 'must be a whole number from 0 to 65535')
  .transform(Number)
  .refine((n) => n <= 65535, 'must be a whole number from 0 to 65535');
const nonEmpty = z.string().trim().min(1, 'must not be empty');
const depth = z
  .string()
  .regex(/^[1-4]$/, 'must be a whole number from 1 to 4')
  .transform(Number);
const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const isProxyAddress = (part: string): boolean => {
  if (PROXY_NAMES.has(part)) return true;
  const [address = '', prefix, ...rest] = part.split('/');
  if (rest.length > 0 || isIP(address) === 0) return false;
  if (prefix === undefined) return true;
  const max = isIP(address) === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= max;
};
// true/false, a hop count, or addresses, CIDR ranges and loopback/linklocal/uniquelocal, comma-separated.
const trustProxy = z
  .string()
  .trim()
  .transform((v): boolean | number | string =>
    v === 'true' ? true : v === 'false' ? false : /^\d+$/.test(v) ? Number(v) : v,
  )
  .refine(
    (v) => typeof v !== 'string' || v.split(',').every((p) => isProxyAddress(p.trim())),
    'must be true, false, a number of hops, or a comma-separated list of addresses, CIDR ranges, loopback, linklocal or uniquelocal',
  );

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
// `0` (off) or a number with a unit: 90s, 30m, 6h, 1d.
const duration = z
  .string()
  .trim()
  .regex(/^(0|\d+(s|m|h|d))$/, 'must be 0 or a number with a unit s, m, h or d (like 6h)')
  .transform((v) => (v === '0' ? 0 : Number(v.slice(0, -1)) * (UNIT_MS[v.slice(-1)] ?? 0)));
const seconds = z
  .string()
  .trim()
  .regex(/^\d+$/, 'must be a whole number of seconds')
  .transform((v) => Number(v) * 1000)
  .refine((v) => v >= 1000, 'must be at least 1 second');
const window = z
  .string()
  .trim()
  .transform((v) => parseWindow(v))
  .refine((v) => v !== null, 'must be a local time window like 02:00-05:00');

const flag = z
  .string()
  .trim()
  .refine((v) => v === 'true' || v === 'false', 'must be true or false')
  .transform((v) => v === 'true');
// An http(s) URL without a trailing slash (wss:// is what socket.io makes of https://).
const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      return ['http:', 'https:'].includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL')
  .transform((v) => v.replace(/\/+$/, ''));

const settings: Setting[] = [
  { key: 'stacksDir', env: 'BERTH_STACKS_DIR', flag: '--stacks-dir', schema: nonEmpty },
  { key: 'stacksDepth', env: 'BERTH_STACKS_DEPTH', flag: '--stacks-depth', schema: depth },
  { key: 'dataDir', env: 'BERTH_DATA_DIR', flag: '--data-dir', schema: nonEmpty },
  { key: 'port', env: 'BERTH_PORT', flag: '--port', schema: port },
  { key: 'host', env: 'BERTH_HOST', flag: '--host', schema: nonEmpty },
  { key: 'adminUser', env: 'BERTH_ADMIN_USER', schema: nonEmpty },
  { key: 'adminPassword', env: 'BERTH_ADMIN_PASSWORD', schema: z.string().min(1) },
  { key: 'logLevel', env: 'BERTH_LOG_LEVEL', flag: '--log-level', schema: logLevel },
  { key: 'trustProxy', env: 'BERTH_TRUST_PROXY', flag: '--trust-proxy', schema: trustProxy },
  { key: 'updateIntervalMs', env: 'BERTH_UPDATE_INTERVAL', schema: duration },
  { key: 'updateWindow', env: 'BERTH_UPDATE_WINDOW', schema: window },
  { key: 'updateHealthTimeoutMs', env: 'BERTH_UPDATE_HEALTH_TIMEOUT', schema: seconds },
  { key: 'dockerDaemonConfig', env: 'BERTH_DOCKER_DAEMON_CONFIG', schema: nonEmpty },
  { key: 'dockerHost', env: 'DOCKER_HOST', schema: nonEmpty },
  { key: 'templateImportPrivate', env: 'BERTH_TEMPLATE_IMPORT_PRIVATE', schema: flag },
  { key: 'builtinTemplatesDir', env: 'BERTH_BUILTIN_TEMPLATES_DIR', schema: nonEmpty },
  { key: 'hubUrl', env: 'BERTH_HUB_URL', flag: '--hub', schema: httpUrl },
  { key: 'enrollToken', env: 'BERTH_ENROLL_TOKEN', flag: '--enroll', schema: nonEmpty },
  { key: 'publicUrl', env: 'BERTH_PUBLIC_URL', schema: httpUrl },
  { key: 'hostName', env: 'BERTH_HOST_NAME', schema: nonEmpty },
];

const defaults = {
  stacksDir: '/opt/stacks',
  stacksDepth: 1,
  dataDir: './data',
  port: 5001,
  host: '0.0.0.0',
  logLevel: 'info',
  trustProxy: 'loopback',
  dockerDaemonConfig: '/etc/docker/daemon.json',
};

function parseFlags(argv: readonly string[]): Map<string, string> {
  const known = new Map(settings.filter((s) => s.flag).map((s) => [s.flag, s]));
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!known.has(flag)) {
      const flags = [...known.keys()].join(', ');
      throw new ConfigError(`unknown argument "${arg}" (known flags: ${flags})`);
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    out.set(flag, value);
  }
  return out;
}

/**
 * Reads configuration from environment variables and command-line flags (flags win).
 * Pure: touches no files. `prepareDirectories` does the filesystem part.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv,
  argv: readonly string[] = [],
  cwd: string = process.cwd(),
): Config {
  const flags = parseFlags(argv);
  const values: Record<string, unknown> = { ...defaults };
  for (const s of settings) {
    const fromFlag = s.flag ? flags.get(s.flag) : undefined;
    const raw = fromFlag ?? env[s.env];
    if (raw === undefined || (fromFlag === undefined && raw === '' && s.key !== 'adminPassword')) {
      continue;
    }
    const parsed = s.schema.safeParse(raw);
    if (!parsed.success) {
      const name = fromFlag !== undefined ? s.flag : s.env;
      const why = parsed.error.issues[0]?.message ?? 'is invalid';
      throw new ConfigError(
        `${name} ${why.replace(/^Invalid option: expected one of/, 'must be one of')}, got "${raw}"`,
      );
    }
    values[s.key] = parsed.data;
  }
  if ((values.adminUser === undefined) !== (values.adminPassword === undefined)) {
    throw new ConfigError('BERTH_ADMIN_USER and BERTH_ADMIN_PASSWORD must be set together');
  }
  const config = values as unknown as Config;
  config.stacksDir = path.resolve(cwd, config.stacksDir);
  config.dataDir = path.resolve(cwd, config.dataDir);
  return config;
}

function ensureDirectory(dir: string, name: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') {
      throw new ConfigError(`${name} "${dir}" is not a directory`);
    }
    throw new ConfigError(`${name} "${dir}" cannot be created (${code ?? 'error'})`);
  }
  if (!statSync(dir).isDirectory()) throw new ConfigError(`${name} "${dir}" is not a directory`);
}

/** Creates the stacks and data directories when missing; fails clearly when they cannot be. */
export function prepareDirectories(config: Config): void {
  ensureDirectory(config.stacksDir, 'BERTH_STACKS_DIR');
  ensureDirectory(config.dataDir, 'BERTH_DATA_DIR');
}
