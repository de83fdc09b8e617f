import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';
import type { PreflightFinding, StackTarget } from '../../../common/swarm.js';

type Code = PreflightFinding['code'];

/** The target a compose text declares: `x-berth: {target: swarm}` at the top level, else compose. */
export function targetOf(yaml: string): StackTarget {
  try {
    const doc = parseDocument(yaml, { merge: true });
    const target = doc.getIn(['x-berth', 'target']);
    return target === 'swarm' ? 'swarm' : 'compose';
  } catch {
    return 'compose';
  }
}

const keyName = (p: Pair): string | undefined =>
  isScalar(p.key) && typeof p.key.value === 'string' ? p.key.value : undefined;

const RULES: Record<string, { code: Code; severity: 'error' | 'warning'; message: string }> = {
  build: {
    code: 'build',
    severity: 'error',
    message:
      '`build:` is ignored by `docker stack deploy`: every node pulls `image:`, so build it and push it to a registry first',
  },
  container_name: {
    code: 'container_name',
    severity: 'warning',
    message: '`container_name` is ignored by Swarm (task containers are named <stack>_<service>.<slot>.<id>)',
  },
  depends_on: {
    code: 'depends_on',
    severity: 'warning',
    message:
      '`depends_on` is ignored by Swarm: services start in any order, so they must retry their dependencies',
  },
  restart: {
    code: 'restart',
    severity: 'warning',
    message: '`restart` is ignored by Swarm: use `deploy.restart_policy`',
  },
  privileged: {
    code: 'privileged',
    severity: 'warning',
    message: '`privileged` is not supported by Swarm services: the containers run unprivileged',
  },
  devices: {
    code: 'devices',
    severity: 'warning',
    message: '`devices` is not supported by Swarm services (engine 20.10): the devices are not mapped',
  },
};

/**
 * What Swarm ignores or breaks in a compose file, each with its line: errors block a deploy,
 * warnings need a confirmation. Pure: reads only the text.
 */
export function preflight(yaml: string): PreflightFinding[] {
  const lc = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter: lc, merge: true, prettyErrors: false });
  const at = (node: Node | null | undefined): { line: number; column: number } => {
    const pos = lc.linePos(node?.range?.[0] ?? 0);
    return { line: pos.line, column: pos.col };
  };
  const out: PreflightFinding[] = [];
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e?.linePos?.[0] ?? { line: 1, col: 1 };
    return [
      {
        severity: 'error',
        code: 'yaml',
        service: null,
        message: e?.message ?? 'invalid YAML',
        line: pos.line,
        column: pos.col,
      },
    ];
  }
  if (targetOf(yaml) !== 'swarm') {
    out.push({
      severity: 'error',
      code: 'not_swarm_target',
      service: null,
      message:
        'this stack targets compose: add `x-berth: {target: swarm}` at the top level to deploy it to the swarm',
      line: 1,
      column: 1,
    });
  }
  const services = doc.get('services', true);
  if (!isMap(services)) return out;
  for (const sp of services.items) {
    const service = keyName(sp);
    if (!service || !isMap(sp.value)) continue;
    const body = sp.value as YAMLMap;
    for (const p of body.items) {
      const key = keyName(p);
      if (!key) continue;
      const rule = RULES[key];
      if (rule) {
        // `privileged: false` is harmless.
        if (key === 'privileged' && isScalar(p.value) && p.value.value !== true) continue;
        // With an image too, stack deploy runs that image: fine if a registry has it.
        const severity = key === 'build' && body.has('image') ? 'warning' : rule.severity;
        out.push({
          severity,
          code: rule.code,
          service,
          message: `${service}: ${rule.message}`,
          ...at(p.key as Node),
        });
      } else if (key === 'volumes' && isSeq(p.value)) {
        for (const v of p.value.items) {
          const src = bindSource(v);
          if (src && /^\.{1,2}(\/|$)|^~/.test(src.value)) {
            out.push({
              severity: 'warning',
              code: 'relative_bind',
              service,
              message: `${service}: the relative bind mount "${src.value}" is made absolute from this folder, and that path must exist on every node a task may run on`,
              ...at(src.node),
            });
          }
        }
      } else if (key === 'ports' && isSeq(p.value)) {
        for (const port of p.value.items) {
          const ip = hostIp(port);
          if (ip) {
            out.push({
              severity: 'warning',
              code: 'host_ip_port',
              service,
              message: `${service}: the host IP ${ip.value} of a port binding is ignored by Swarm: the port is published on every node's addresses (ingress)`,
              ...at(ip.node),
            });
          }
        }
      }
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** The source of a bind mount, short (`./a:/b`) or long (`type: bind, source: ./a`) syntax. */
function bindSource(v: unknown): { value: string; node: Node } | undefined {
  if (isScalar(v) && typeof v.value === 'string') {
    const src = v.value.split(':')[0] ?? '';
    return src.startsWith('.') || src.startsWith('~') || src.startsWith('/')
      ? { value: src, node: v }
      : undefined;
  }
  if (isMap(v) && v.get('type') === 'bind') {
    const src = v.get('source', true);
    if (isScalar(src) && typeof src.value === 'string') return { value: src.value, node: src };
  }
  return undefined;
}

/** A host IP in a port binding: `127.0.0.1:80:80` or `host_ip:` in long syntax. */
function hostIp(v: unknown): { value: string; node: Node } | undefined {
  if (isScalar(v) && typeof v.value === 'string') {
    // ip:host:container, with IPv6 in brackets
    const m = /^(\[[^\]]+\]|\d{1,3}(?:\.\d{1,3}){3}):[^:]*:.+$/.exec(v.value);
    return m?.[1] ? { value: m[1], node: v } : undefined;
  }
  if (isMap(v)) {
    const ip = v.get('host_ip', true);
    if (isScalar(ip) && typeof ip.value === 'string' && ip.value) return { value: ip.value, node: ip };
  }
  return undefined;
}
