import { describe, expect, it } from 'vitest';
import type { Problem } from '../../common/stack.js';
import { validateCompose } from '../../server/src/validate/compose-validator.js';
import { interpolate, parseDotEnv } from '../../server/src/validate/interpolation.js';
import {
  byteSize,
  isDuration,
  parseVolumeSpec,
  portSpecError,
} from '../../server/src/validate/semantic-rules.js';

// Every verdict here was compared with `docker compose config -q` (2.26) by hand; the corpus test
// (test/integration/compose-corpus.test.ts) compares them automatically on real files.

const lines = (...l: string[]) => `${l.join('\n')}\n`;
const env = (o: Record<string, string> = {}) => new Map(Object.entries(o));

function marked(text: string, p: Problem): string {
  return (text.split('\n')[p.line - 1] ?? '').slice(p.column - 1, p.endColumn - 1);
}
const errors = (text: string, e?: Map<string, string>) =>
  validateCompose(text, { env: e }).problems.filter((p) => p.severity === 'error');

describe('compose rules after the schema', () => {
  it('points at a depends_on naming a service that does not exist', () => {
    const text = lines('services:', '  web:', '    image: nginx', '    depends_on:', '      - db');
    const [p] = errors(text);
    expect(p).toMatchObject({ line: 5, message: expect.stringContaining('undefined service "db"') });
    expect(marked(text, p as Problem)).toBe('db');
  });

  it('points at the key of a depends_on map entry, and at links and service: network modes', () => {
    const text = lines(
      'services:',
      '  web:',
      '    image: nginx',
      '    depends_on:',
      '      db: {condition: service_healthy}',
      '    links: ["cache:c"]',
      '  side:',
      '    image: x',
      '    network_mode: service:nope',
    );
    expect(errors(text).map((p) => [p.line, marked(text, p)])).toEqual([
      [5, 'db'],
      [6, '"cache:c"'],
      [9, 'service:nope'],
    ]);
  });

  it('reports networks, volumes, configs and secrets that are not declared at the top level', () => {
    const text = lines(
      'services:',
      '  web:',
      '    image: nginx',
      '    networks: [front, default]',
      '    volumes: ["data:/d", "./here:/h", "/abs:/a", "~/home:/x", "/anon"]',
      '    configs: [conf]',
      '    secrets: [{source: pw}]',
    );
    expect(errors(text).map((p) => p.message.split(':')[0])).toEqual([
      'service "web" refers to undefined network front',
      'service "web" refers to undefined volume data',
      'service "web" refers to undefined config conf',
      'service "web" refers to undefined secret pw',
    ]);
  });

  it('accepts declared references, external networks and services in disabled profiles', () => {
    const text = lines(
      'services:',
      '  web:',
      '    image: nginx',
      '    networks: {front: {aliases: [w]}}',
      '    volumes: [{type: volume, source: data, target: /d}]',
      '  debug:',
      '    profiles: [debug]',
      '    networks: [nowhere]',
      'networks:',
      '  front: {external: true}',
      'volumes:',
      '  data:',
    );
    expect(errors(text)).toEqual([]);
    // Enabled by COMPOSE_PROFILES, the debug service's broken reference counts.
    expect(errors(text, env({ COMPOSE_PROFILES: 'debug' }))).toHaveLength(2);
  });

  it('reports a service with neither image nor build, seeing through extends', () => {
    const text = lines(
      'services:',
      '  base:',
      '    image: x',
      '  web:',
      '    extends: base',
      '  bare:',
      '    command: hi',
    );
    const found = errors(text);
    expect(found).toHaveLength(1);
    expect(marked(text, found[0] as Problem)).toBe('bare');
  });

  it('reads ports as compose does', () => {
    for (const ok of [
      '80',
      '8080:80',
      '127.0.0.1:8080:80/udp',
      '[::1]:80:80',
      '8000-8010:8000-8010',
      '8000-8010:80',
      '0:80',
      '80:80/',
    ]) {
      expect(portSpecError(ok), ok).toBeNull();
    }
    expect(portSpecError('80:abc')).toBe('Invalid containerPort: abc');
    expect(portSpecError('70000:80')).toBe('Invalid hostPort: 70000');
    expect(portSpecError('80:80/xyz')).toBe('Invalid proto: xyz');
    expect(portSpecError('abc:80:80')).toBe('Invalid ip address: abc');
    expect(portSpecError('::1:80:80')).toMatch(/too many colons/);
    expect(portSpecError('8000-8010:8000-8005')).toMatch(/Invalid ranges/);
    expect(portSpecError('')).toMatch(/No port specified/);
    expect(portSpecError('80:0')).toMatch(/missing a target port/);
  });

  it('reads volume short syntax as compose does (one letter before a colon is a Windows drive)', () => {
    expect(parseVolumeSpec('data:/d:ro')).toMatchObject({ source: 'data', type: 'volume' });
    expect(parseVolumeSpec('./x:/d')).toMatchObject({ source: './x', type: 'bind' });
    expect(parseVolumeSpec('/anon')).toMatchObject({ target: '/anon', type: 'volume' });
    expect(parseVolumeSpec(':/d')).toEqual({ error: 'invalid spec: :/d: empty section between colons' });
    expect(parseVolumeSpec('/x:/y:ro:z')).toEqual({ error: 'invalid spec: /x:/y:ro:z: too many colons' });
    expect(parseVolumeSpec('a:b:c:d:e')).not.toHaveProperty('error');
    expect(parseVolumeSpec('')).toEqual({ error: 'invalid empty volume spec' });
  });

  it('checks durations and byte sizes', () => {
    expect(['10s', '1m30s', '1.5h', '500ms', '0', '5µs'].every(isDuration)).toBe(true);
    expect(['10x', '1d', 'abc', ''].some(isDuration)).toBe(false);
    expect(byteSize('1g')).toBe(1024 ** 3);
    expect(byteSize('1.5 GB')).toBe(1.5 * 1024 ** 3);
    expect(byteSize('512mb')).toBe(512 * 1024 ** 2);
    expect(byteSize('10q')).toBeNull();
    const text = lines(
      'services:',
      '  web:',
      '    image: x',
      '    stop_grace_period: 1d',
      '    mem_limit: 10q',
      '    healthcheck: {test: [CMD, "true"], interval: 10x}',
    );
    expect(errors(text).map((p) => marked(text, p))).toEqual(['1d', '10q', '10x']);
  });

  it('refuses distinct values compose keeps in two places (mem_reservation next to GPU reservations)', () => {
    const text = lines(
      'services:',
      '  gpu:',
      '    image: x',
      '    mem_reservation: 512m',
      '    deploy: {resources: {reservations: {devices: [{capabilities: [gpu]}]}}}',
      '  same:',
      '    image: x',
      '    mem_limit: 1g',
      '    deploy: {resources: {limits: {memory: 1024m}}}',
    );
    expect(errors(text).map((p) => marked(text, p))).toEqual(['mem_reservation']);
  });

  it('finds dependency cycles and warns about a container name used twice', () => {
    const text = lines(
      'services:',
      '  a: {image: x, depends_on: [b], container_name: same}',
      '  b: {image: x, depends_on: [a], container_name: same}',
    );
    const found = validateCompose(text).problems;
    expect(found.find((p) => p.message.startsWith('dependency cycle'))).toBeDefined();
    expect(
      found.find((p) => p.severity === 'warning' && p.message.includes('container name "same"')),
    ).toBeDefined();
  });
});

describe('interpolation', () => {
  it('resolves every form against the environment', () => {
    const e = env({ A: 'a', EMPTY: '' });
    const v = (t: string) => interpolate(t, e).value;
    expect(v('${A}-$A-$$A')).toBe('a-a-$A');
    expect(v('${EMPTY:-d}|${EMPTY-d}|${UNSET-d}')).toBe('d||d');
    expect(v('${A:+r}|${EMPTY:+r}|${EMPTY+r}')).toBe('r||r');
    expect(v('${UNSET:-${A}}')).toBe('a');
    expect(v('x$1 y$')).toBe('x$1 y$');
  });

  it('an unset required variable is an error, an unset plain one a warning, a bad form an error', () => {
    const text = lines(
      'services:',
      '  web:',
      '    image: ${IMAGE:?set IMAGE in .env}',
      '    hostname: ${HOST}',
      '    domainname: "${BAD NAME}"',
    );
    const found = validateCompose(text, { env: env() }).problems;
    expect(found.map((p) => [p.severity, p.line])).toEqual([
      ['error', 3],
      ['warning', 4],
      ['error', 5],
    ]);
    expect(found[0]?.message).toBe('required variable IMAGE is missing a value: set IMAGE in .env');
    // With IMAGE and HOST in .env, nothing is left.
    expect(
      validateCompose(text.replace('"${BAD NAME}"', 'x'), { env: parseDotEnv('IMAGE=nginx\nHOST=h\n') })
        .problems,
    ).toEqual([]);
  });

  it('without a known environment, nothing is reported unset and guessed values are not checked', () => {
    const text = lines('services:', '  web:', '    image: ${IMAGE}', '    ports: ["${PORT}:80"]');
    expect(validateCompose(text).problems).toEqual([]);
  });

  it('reads .env files as compose does', () => {
    const e = parseDotEnv(
      ['# c', 'export A=1', "B='x $A'", 'C="q${A}\\n"', 'D=plain # comment', 'E'].join('\n'),
    );
    expect([...e]).toEqual([
      ['A', '1'],
      ['B', 'x $A'],
      ['C', 'q1\n'],
      ['D', 'plain'],
    ]);
  });
});
