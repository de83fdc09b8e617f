import type { SchemaIssue } from './schema-errors.js';
import { interpolate, type Environment } from './interpolation.js';

/**
 * Compose's checks after the schema, as `docker compose config` (2.26) makes them: references
 * between services and to top-level networks/volumes/configs/secrets, port and volume short
 * syntax, durations, byte sizes, values compose refuses to hold twice, dependency cycles,
 * services without image or build, and interpolation. Each message was compared with compose's.
 */

export interface SemanticContext {
  /** Variables compose would interpolate with (.env plus the process's); undefined: unknown. */
  env: Environment;
  /** Whether a file relative to the stack folder exists; undefined: not known, not checked. */
  exists?: (relativePath: string) => boolean;
}

/** Stands for a value that holds a variable of an unknown environment: it is never checked. */
class Unknown {}
const UNKNOWN = new Unknown();

type Data = Record<string, unknown>;

export function semanticIssues(data: unknown, ctx: SemanticContext): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const add = (
    severity: SchemaIssue['severity'],
    path: (string | number)[],
    message: string,
    target: SchemaIssue['target'] = 'value',
  ) => {
    const p = path.map(String);
    issues.push({ path: p, target, message, detail: `${p.join('.')}:${message}`, severity });
  };
  const resolved = interpolateTree(data, [], ctx.env, add);
  if (!isRecord(resolved)) return issues;
  const services = isRecord(resolved.services) ? resolved.services : {};
  const top = (key: string) => new Set(isRecord(resolved[key]) ? Object.keys(resolved[key]) : []);
  const networks = top('networks');
  const volumes = top('volumes');
  const configs = top('configs');
  const secrets = top('secrets');
  const active = activeServices(services, ctx.env);
  const deps = new Map<string, string[]>();
  const containerNames = new Map<string, string>();

  for (const [name, raw] of Object.entries(services)) {
    if (!isRecord(raw)) continue;
    const s = raw;
    const at = (...rest: (string | number)[]) => ['services', name, ...rest];
    const ext = extendsOf(s);
    if (ext && ext.file === undefined && !(ext.service in services)) {
      add('error', at('extends'), `cannot extend service "${name}": service "${ext.service}" not found`);
    }
    if (ext?.file !== undefined && ctx.exists && !ctx.exists(ext.file)) {
      add('error', at('extends', 'file'), `extends file ${ext.file} does not exist`);
    }
    if (!active.has(name)) continue;
    const mine: string[] = [];
    deps.set(name, mine);
    const needService = (target: string, path: (string | number)[], how: 'key' | 'value' = 'value') => {
      mine.push(target);
      if (!active.has(target)) {
        const why = target in services ? ` (it is only in profiles that are not enabled)` : '';
        add('error', path, `service "${name}" depends on undefined service "${target}"${why}`, how);
      }
    };

    if (!hasImageOrBuild(services, name)) {
      add(
        'error',
        ['services', name],
        `service "${name}" has neither an image nor a build context specified`,
        'key',
      );
    }
    const dependsOn = s.depends_on;
    if (Array.isArray(dependsOn)) {
      dependsOn.forEach((d, i) => typeof d === 'string' && needService(d, at('depends_on', i)));
    } else if (isRecord(dependsOn)) {
      for (const d of Object.keys(dependsOn)) needService(d, at('depends_on', d), 'key');
    }
    if (Array.isArray(s.links)) {
      s.links.forEach((l, i) => {
        if (typeof l === 'string') needService(l.split(':')[0] ?? l, at('links', i));
      });
    }
    if (Array.isArray(s.volumes_from)) {
      s.volumes_from.forEach((v, i) => {
        if (typeof v !== 'string' || v.startsWith('container:')) return;
        needService((v.startsWith('service:') ? v.slice(8) : v).split(':')[0] ?? v, at('volumes_from', i));
      });
    }
    if (typeof s.network_mode === 'string') {
      if (s.network_mode.startsWith('service:')) needService(s.network_mode.slice(8), at('network_mode'));
      if (s.networks !== undefined && s.networks !== null) {
        add(
          'error',
          at('network_mode'),
          `service ${name} declares mutually exclusive \`network_mode\` and \`networks\``,
        );
      }
    }
    const refs = (key: string, declared: Set<string>, kind: string, implicit: string[] = []) => {
      const v = s[key];
      const check = (ref: string, path: (string | number)[], how: 'key' | 'value') => {
        if (!declared.has(ref) && !implicit.includes(ref)) {
          add(
            'error',
            path,
            `service "${name}" refers to undefined ${kind} ${ref}: declare it under top-level \`${key}:\``,
            how,
          );
        }
      };
      if (Array.isArray(v)) {
        v.forEach((r, i) => {
          if (typeof r === 'string') check(r, at(key, i), 'value');
          else if (isRecord(r) && typeof r.source === 'string')
            check(r.source, at(key, i, 'source'), 'value');
        });
      } else if (isRecord(v)) {
        for (const r of Object.keys(v)) check(r, at(key, r), 'key');
      }
    };
    refs('networks', networks, 'network', ['default']);
    refs('configs', configs, 'config');
    refs('secrets', secrets, 'secret');

    if (Array.isArray(s.volumes)) {
      s.volumes.forEach((v, i) => {
        let source: string | undefined;
        let type: string | undefined;
        if (typeof v === 'string') {
          const parsed = parseVolumeSpec(v);
          if ('error' in parsed) {
            add('error', at('volumes', i), parsed.error);
            return;
          }
          ({ source, type } = parsed);
        } else if (isRecord(v)) {
          source = typeof v.source === 'string' ? v.source : undefined;
          type = typeof v.type === 'string' ? v.type : undefined;
          if (type === 'volume' && source !== undefined && !volumes.has(source)) {
            add(
              'error',
              at('volumes', i, 'source'),
              `service "${name}" refers to undefined volume ${source}: declare it under top-level \`volumes:\``,
            );
          }
          return;
        }
        if (type === 'volume' && source && !volumes.has(source)) {
          add(
            'error',
            at('volumes', i),
            `service "${name}" refers to undefined volume ${source}: declare it under top-level \`volumes:\` (or write ./${source} for a folder)`,
          );
        }
      });
    }
    if (Array.isArray(s.ports)) {
      s.ports.forEach((p, i) => {
        if (typeof p !== 'string' && typeof p !== 'number') return;
        const error = portSpecError(String(p));
        if (error) add('error', at('ports', i), error);
      });
    }
    for (const path of DURATION_PATHS) {
      const v = dig(s, path);
      if (typeof v === 'string' && !isDuration(v)) {
        add(
          'error',
          at(...path),
          `${JSON.stringify(v)} is not a duration: write it like 30s, 1m30s or 500ms (units ns, us, ms, s, m, h)`,
        );
      }
    }
    const sizes = new Map<string, number>();
    for (const path of SIZE_PATHS) {
      const v = dig(s, path);
      if (v === undefined || v instanceof Unknown) continue;
      const bytes = byteSize(v);
      if (bytes === null)
        add('error', at(...path), `invalid size: ${JSON.stringify(v)}: write it like 512m, 1g or 1.5GB`);
      else sizes.set(path.join('.'), bytes);
    }
    const limits = dig(s, ['deploy', 'resources', 'limits']);
    const reservations = dig(s, ['deploy', 'resources', 'reservations']);
    const distinct = (
      own: string,
      block: unknown,
      deploy: string,
      value: (path: string) => number | undefined,
    ) => {
      const mineValue = value(own);
      if (!isRecord(block) || mineValue === undefined || mineValue === 0) return;
      if ((value(deploy) ?? 0) !== mineValue) {
        add(
          'error',
          at(own),
          `can't set distinct values on '${own}' and '${deploy}': drop one of them or make them equal`,
          'key',
        );
      }
    };
    distinct('mem_limit', limits, 'deploy.resources.limits.memory', (p) => sizes.get(p));
    distinct('mem_reservation', reservations, 'deploy.resources.reservations.memory', (p) => sizes.get(p));
    distinct('cpus', limits, 'deploy.resources.limits.cpus', (p) => numberAt(s, p));
    distinct('pids_limit', limits, 'deploy.resources.limits.pids', (p) => numberAt(s, p));

    if (ctx.exists && s.env_file !== undefined) {
      const files = Array.isArray(s.env_file) ? s.env_file : [s.env_file];
      files.forEach((f, i) => {
        const file =
          typeof f === 'string'
            ? f
            : isRecord(f) && typeof f.path === 'string' && f.required !== false
              ? f.path
              : undefined;
        const path = Array.isArray(s.env_file) ? at('env_file', i) : at('env_file');
        if (file !== undefined && !isAbsolute(file) && !ctx.exists?.(file))
          add('error', path, `env file ${file} not found in the stack folder`);
      });
    }
    if (typeof s.container_name === 'string') {
      const other = containerNames.get(s.container_name);
      if (other !== undefined) {
        add(
          'warning',
          at('container_name'),
          `container name "${s.container_name}" is also used by service "${other}": \`up\` will fail on the second one`,
        );
      } else containerNames.set(s.container_name, name);
    }
  }
  const cycle = findCycle(deps);
  if (cycle)
    add('error', ['services', cycle[0] ?? ''], `dependency cycle detected: ${cycle.join(' -> ')}`, 'key');
  if (ctx.exists && Array.isArray(resolved.include)) {
    resolved.include.forEach((inc, i) => {
      const paths = typeof inc === 'string' ? [inc] : isRecord(inc) ? [inc.path].flat() : [];
      for (const p of paths) {
        if (typeof p === 'string' && !isAbsolute(p) && !ctx.exists?.(p))
          add('error', ['include', i], `included file ${p} does not exist`);
      }
    });
  }
  return issues;
}

const DURATION_PATHS = [
  ['healthcheck', 'interval'],
  ['healthcheck', 'timeout'],
  ['healthcheck', 'start_period'],
  ['healthcheck', 'start_interval'],
  ['stop_grace_period'],
  ['deploy', 'update_config', 'delay'],
  ['deploy', 'update_config', 'monitor'],
  ['deploy', 'rollback_config', 'delay'],
  ['deploy', 'rollback_config', 'monitor'],
  ['deploy', 'restart_policy', 'delay'],
  ['deploy', 'restart_policy', 'window'],
];

const SIZE_PATHS = [
  ['mem_limit'],
  ['mem_reservation'],
  ['memswap_limit'],
  ['shm_size'],
  ['build', 'shm_size'],
  ['deploy', 'resources', 'limits', 'memory'],
  ['deploy', 'resources', 'reservations', 'memory'],
];

/** Walks every value (not keys), interpolating strings; reports findings at their path. */
function interpolateTree(
  value: unknown,
  path: (string | number)[],
  env: Environment,
  add: (severity: SchemaIssue['severity'], path: (string | number)[], message: string) => void,
): unknown {
  if (typeof value === 'string') {
    const r = interpolate(value, env);
    for (const f of r.findings) add(f.severity, path, f.message);
    return r.unknown ? UNKNOWN : r.value;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateTree(v, [...path, i], env, add));
  if (isRecord(value)) {
    const out: Data = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateTree(v, [...path, k], env, add);
    return out;
  }
  return value;
}

/** Services without profiles, or with one enabled by COMPOSE_PROFILES (`*` enables all). */
function activeServices(services: Data, env: Environment): Set<string> {
  const enabled = new Set(
    (env?.get('COMPOSE_PROFILES') ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean),
  );
  const active = new Set<string>();
  for (const [name, s] of Object.entries(services)) {
    const profiles = isRecord(s) && Array.isArray(s.profiles) ? s.profiles : [];
    if (
      profiles.length === 0 ||
      enabled.has('*') ||
      profiles.some((p) => typeof p === 'string' && enabled.has(p)) ||
      // A profile list compose cannot read yet: do not guess it is off.
      profiles.some((p) => p instanceof Unknown)
    ) {
      active.add(name);
    }
  }
  return active;
}

function extendsOf(s: Data): { service: string; file?: string } | undefined {
  const e = s.extends;
  if (typeof e === 'string') return { service: e };
  if (isRecord(e) && typeof e.service === 'string') {
    return typeof e.file === 'string' ? { service: e.service, file: e.file } : { service: e.service };
  }
  return undefined;
}

function hasImageOrBuild(services: Data, name: string, seen = new Set<string>()): boolean {
  const s = services[name];
  if (!isRecord(s) || seen.has(name)) return true; // a broken chain is reported elsewhere
  seen.add(name);
  const present = (v: unknown) =>
    v instanceof Unknown || (typeof v === 'string' ? v !== '' : v !== undefined && v !== null);
  if (present(s.image) || present(s.build)) return true;
  const ext = extendsOf(s);
  if (!ext) return false;
  if (ext.file !== undefined) return true; // the base lives in another file
  return hasImageOrBuild(services, ext.service, seen);
}

function findCycle(deps: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done') return null;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      if (!deps.has(d)) continue;
      const found = visit(d);
      if (found) return found;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of [...deps.keys()].sort()) {
    const found = visit(n);
    if (found) return found;
  }
  return null;
}

/** Short volume syntax as compose-go reads it (a one-letter section before `:` is a Windows drive). */
export function parseVolumeSpec(
  spec: string,
): { source?: string; target?: string; type: string } | { error: string } {
  if (spec === '') return { error: 'invalid empty volume spec' };
  if (spec.length <= 2) return { target: spec, type: 'volume' };
  let source: string | undefined;
  let target: string | undefined;
  let buffer = '';
  const END = '\u0000';
  for (const ch of spec + END) {
    if (ch === ':' && buffer.length === 1 && /\p{L}/u.test(buffer)) {
      buffer += ch;
    } else if (ch === ':' || ch === END) {
      if (buffer.length === 0) return { error: `invalid spec: ${spec}: empty section between colons` };
      if (source === undefined && ch === END) target = buffer;
      else if (source === undefined) source = buffer;
      else if (target === undefined) target = buffer;
      else if (ch === ':') return { error: `invalid spec: ${spec}: too many colons` };
      buffer = '';
    } else {
      buffer += ch;
    }
  }
  const bind =
    source !== undefined &&
    (/^[./~]/.test(source) || /^[A-Za-z]:[\\/]/.test(source) || source.startsWith('\\\\'));
  return { source, target, type: source === undefined ? 'volume' : bind ? 'bind' : 'volume' };
}

/** Short port syntax as go-connections' ParsePortSpec reads it; null when valid. */
export function portSpecError(raw: string): string | null {
  const parts = raw.split(':');
  const n = parts.length;
  let container = parts[n - 1] ?? '';
  let ip = '';
  let host = '';
  if (n === 2) host = parts[0] ?? '';
  else if (n >= 3) {
    ip = parts.slice(0, n - 2).join(':');
    host = parts[n - 2] ?? '';
  }
  const slash = container.split('/');
  let proto = 'tcp';
  if (container === '' || (slash[0] ?? '') === '') container = '';
  else if (slash.length > 1 && (slash[1] ?? '') !== '') {
    proto = slash[1] ?? 'tcp';
    container = slash[0] ?? '';
  } else container = slash[0] ?? '';
  if (ip !== '') {
    if (ip.startsWith('[')) {
      if (!ip.endsWith(']') || ip.indexOf(']') !== ip.length - 1)
        return `Invalid ip address ${ip}: address ${ip}:: missing port in address`;
      ip = ip.slice(1, -1);
    } else if (ip.includes(':')) {
      return `Invalid ip address ${ip}: address ${ip}:: too many colons in address (write IPv6 addresses in brackets: [::1]:80:80)`;
    }
    if (!isIp(ip)) return `Invalid ip address: ${ip}`;
  }
  if (container === '') return `No port specified: ${raw}<empty>`;
  const c = portRange(container);
  if (!c) return `Invalid containerPort: ${container}`;
  if (host !== '') {
    const h = portRange(host);
    if (!h) return `Invalid hostPort: ${host}`;
    if (c[1] - c[0] !== h[1] - h[0] && c[1] !== c[0]) {
      return `Invalid ranges specified for container and host Ports: ${container} and ${host}`;
    }
  }
  if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) return `Invalid proto: ${proto}`;
  if (c[0] === 0) return `port ${raw} is missing a target port`;
  return null;
}

function portRange(s: string): [number, number] | null {
  const parts = s.split('-');
  const num = (p: string | undefined) =>
    p !== undefined && /^\d+$/.test(p) && Number(p) <= 65535 ? Number(p) : null;
  const a = num(parts[0]);
  const b = parts.length === 1 ? a : num(parts[1]);
  if (a === null || b === null || b < a) return null;
  return [a, b];
}

function isIp(s: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(s))
    return s.split('.').every((o) => Number(o) <= 255);
  return /^[0-9A-Fa-f:.]+$/.test(s) && s.includes(':') && (s.match(/::/g) ?? []).length <= 1;
}

/** Go's time.ParseDuration grammar. */
export function isDuration(s: string): boolean {
  return /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/.test(s);
}

/** docker/go-units RAMInBytes; numbers are bytes already. null when compose refuses it. */
export function byteSize(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  const m = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(v);
  if (!m?.[1]) return null;
  const unit = (m[2] ?? '').toLowerCase();
  const power = unit === '' ? 0 : 'kmgtp'.indexOf(unit) + 1;
  return Math.floor(parseFloat(m[1]) * 1024 ** power);
}

function numberAt(s: Data, dotted: string): number | undefined {
  const v = dig(s, dotted.split('.'));
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

function dig(v: unknown, path: readonly string[]): unknown {
  let here = v;
  for (const p of path) {
    if (!isRecord(here)) return undefined;
    here = here[p];
  }
  return here;
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

function isRecord(v: unknown): v is Data {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Unknown);
}
