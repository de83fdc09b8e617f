import { LineCounter, parseDocument } from 'yaml';
import type { Problem } from '../../../common/stack.js';
import { locate, treeFacts } from './yaml-tree.js';

/**
 * Places a message of `docker compose config` in the compose text: where it names a path
 * (`services[web].healthcheck.interval`, `services.web.image`, `service "web" refers to
 * undefined network x`) the problem underlines that key; otherwise it sits on line 1.
 */
export function placeComposeMessage(text: string, message: string, severity: Problem['severity']): Problem {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, merge: true, logLevel: 'silent', uniqueKeys: false });
  const aliases = treeFacts(doc).aliases;
  const range = (() => {
    for (const path of candidatePaths(message)) {
      for (let n = path.length; n > 0; n--) {
        const found = locate(doc, aliases, path.slice(0, n));
        const r = found?.key?.range ?? found?.node.range;
        if (found?.exact && r) return [r[0], r[1]] as const;
      }
    }
    const token = /(?:Invalid \w+(?: \w+)?:? |invalid spec: )([^\s:]+(?::[^\s:]+)*)/.exec(message)?.[1];
    const at = token ? text.indexOf(token) : -1;
    return at >= 0 && token
      ? ([at, at + token.length] as const)
      : ([0, Math.max(1, text.indexOf('\n'))] as const);
  })();
  const a = lines.linePos(range[0]);
  const b = lines.linePos(Math.max(range[1], range[0] + 1));
  return {
    severity,
    message: `docker compose config: ${message.split('\n').filter(Boolean).join(' ')}`,
    line: a.line,
    column: a.col,
    endLine: b.line,
    endColumn: b.col,
  };
}

function candidatePaths(message: string): string[][] {
  const out: string[][] = [];
  const decoding = /'services\[([^\]]+)\]((?:\.[\w-]+)*)'/.exec(message);
  if (decoding?.[1]) out.push(['services', decoding[1], ...(decoding[2] ?? '').split('.').filter(Boolean)]);
  const dotted = /\b(services|networks|volumes|configs|secrets)\.([\w.-]+)/.exec(message);
  if (dotted?.[1] && dotted[2])
    out.push([
      dotted[1],
      ...dotted[2]
        .replace(/\.?\[(\d+)\]/g, '.$1')
        .split('.')
        .filter(Boolean),
    ]);
  const service = /service "?([\w.-]+?)"? (?:depends on|refers to|has|declares)/.exec(message);
  if (service?.[1]) {
    const kind = /refers to undefined (network|volume|config|secret)/.exec(message)?.[1];
    const key = kind ? `${kind}s` : /depends on undefined/.test(message) ? 'depends_on' : undefined;
    out.push(key ? ['services', service[1], key] : ['services', service[1]]);
  }
  const extend = /cannot extend service "([^"]+)"/.exec(message);
  if (extend?.[1]) out.push(['services', extend[1], 'extends']);
  return out;
}
