import { describe, expect, it } from 'vitest';
import type { Problem } from '../../common/stack.js';
import { MAX_PROBLEMS, validateCompose } from '../../server/src/validate/compose-validator.js';

// Each sample below was also run through `docker compose -f <file> config -q` (v2.26) by hand:
// compose accepts the valid ones and rejects the invalid ones for the same reason, except where
// a test says otherwise.

const lines = (...l: string[]) => `${l.join('\n')}\n`;

const problems = (text: string) => validateCompose(text).problems;

/** The text a problem underlines (single-line problems only). */
function marked(text: string, p: Problem): string {
  expect(p.endLine).toBe(p.line);
  return (text.split(/\r?\n/)[p.line - 1] ?? '').slice(p.column - 1, p.endColumn - 1);
}

const REALISTIC = lines(
  'name: shop',
  '',
  'x-logging: &default-logging',
  '  driver: json-file',
  '  options:',
  '    max-size: "10m"',
  '',
  'x-app: &app',
  '  restart: unless-stopped',
  '  logging: *default-logging',
  '  env_file:',
  '    - app.env',
  '  environment: &app-env',
  '    TZ: UTC',
  '    LOG_LEVEL: ${LOG_LEVEL:-info}',
  '',
  'services:',
  '  web:',
  '    <<: *app',
  '    image: nginx:1.27-alpine',
  '    ports:',
  '      - "${HTTP_PORT:-8080}:80"',
  '      - target: 443',
  '        published: "8443"',
  '        protocol: tcp',
  '    volumes:',
  '      - ./nginx.conf:/etc/nginx/nginx.conf:ro',
  '      - static:/usr/share/nginx/html',
  '    depends_on:',
  '      api:',
  '        condition: service_healthy',
  '        restart: true',
  '    networks: [front, back]',
  '    healthcheck:',
  '      test: ["CMD", "wget", "-qO-", "http://localhost/health"]',
  '      interval: 30s',
  '      timeout: 5s',
  '      retries: 3',
  '      start_period: 10s',
  '  api:',
  '    <<: *app',
  '    build:',
  '      context: ./api',
  '      args:',
  '        NODE_VERSION: "20"',
  '    image: shop/api:${TAG:-latest}',
  '    environment:',
  '      <<: *app-env',
  '      DATABASE_URL: postgres://shop:${DB_PASSWORD}@db:5432/shop',
  '      PORT: 3000',
  '    depends_on:',
  '      db:',
  '        condition: service_healthy',
  '    networks:',
  '      back:',
  '        aliases: [backend]',
  '    deploy:',
  '      replicas: 2',
  '      resources:',
  '        limits:',
  '          cpus: "0.50"',
  '          memory: 512M',
  '      restart_policy:',
  '        condition: on-failure',
  '    ulimits:',
  '      nofile: { soft: 20000, hard: 40000 }',
  '    x-notes: extension fields are allowed in services',
  '  db:',
  '    image: postgres:16',
  '    env_file:',
  '      - path: db.env',
  '        required: false',
  '    environment:',
  '      POSTGRES_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD}',
  '    volumes:',
  '      - type: volume',
  '        source: pgdata',
  '        target: /var/lib/postgresql/data',
  '    healthcheck:',
  '      test: ["CMD-SHELL", "pg_isready -U shop"]',
  '      interval: 10s',
  '    networks: [back]',
  '  worker:',
  '    <<: *app',
  '    image: shop/api:${TAG:-latest}',
  '    command: node worker.js',
  '    init: ${WORKER_INIT:-true}',
  '    cpus: ${WORKER_CPUS:-0.5}',
  '    depends_on: [db]',
  '    secrets:',
  '      - source: api_key',
  '        target: api_key',
  '    profiles: ["jobs"]',
  '',
  'volumes:',
  '  pgdata:',
  '  static: {}',
  '',
  'networks:',
  '  front:',
  '  back:',
  '    driver: bridge',
  '    ipam:',
  '      config:',
  '        - subnet: 172.28.0.0/16',
  '',
  'secrets:',
  '  api_key:',
  '    file: ./api_key.txt',
  '',
  'x-extra:',
  '  anything: [1, 2, 3]',
);

describe('validateCompose: valid files', () => {
  it('accepts a realistic file: anchors, merge keys, x- fields, long syntaxes, interpolation', () => {
    expect(validateCompose(REALISTIC)).toEqual({ problems: [], parsed: true });
  });

  it('does not flag interpolated values where compose substitutes before validating', () => {
    const text = lines(
      'services:',
      '  web:',
      '    image: ${IMAGE:-nginx}',
      '    ports: ["${PORT}:80", $OTHER_PORT]',
      '    cpus: ${CPUS}',
      '    mem_swappiness: $SWAPPINESS',
      '    pull_policy: ${PULL:-always}',
      '    healthcheck:',
      '      retries: ${RETRIES:-3}',
      '    depends_on:',
      '      db:',
      '        condition: ${DB_CONDITION:-service_started}',
      '  db:',
      '    image: postgres',
    );
    expect(validateCompose(text)).toEqual({ problems: [], parsed: true });
  });

  it("understands compose's own !reset and !override tags", () => {
    const text = lines(
      'services:',
      '  web:',
      '    image: nginx',
      '    ports: !reset null',
      '    environment: !override',
      '      A: "1"',
    );
    expect(validateCompose(text)).toEqual({ problems: [], parsed: true });
  });

  it('accepts a CRLF file', () => {
    expect(problems(REALISTIC.replace(/\n/g, '\r\n'))).toEqual([]);
  });
});

describe('validateCompose: YAML errors', () => {
  it('reports a syntax error where the unfinished construct starts', () => {
    const text = lines('services:', '  web:', '    image: "nginx', '    ports: [80]');
    const result = validateCompose(text);
    expect(result.parsed).toBe(false);
    expect(result.problems).toEqual([
      {
        severity: 'error',
        message: 'Missing closing "quote',
        line: 3,
        column: 12,
        endLine: 3,
        endColumn: 18,
      },
    ]);
  });

  it('reports a nested mapping on one line at its colon', () => {
    const result = validateCompose(lines('services:', '  web:', '    image: nginx: latest'));
    expect(result.parsed).toBe(false);
    expect(result.problems).toMatchObject([{ severity: 'error', line: 3, column: 12 }]);
  });

  it('reports tab indentation', () => {
    const result = validateCompose(lines('services:', '  web:', '\timage: nginx'));
    expect(result.parsed).toBe(false);
    expect(result.problems).toEqual([
      {
        severity: 'error',
        message: 'Tabs are not allowed as indentation',
        line: 3,
        column: 1,
        endLine: 3,
        endColumn: 2,
      },
    ]);
  });

  it('reports a duplicate key on the repeated key, and still checks the schema', () => {
    const text = lines('services:', '  web:', '    image: nginx', '    image: httpd', '    restart: 5');
    const result = validateCompose(text);
    expect(result.parsed).toBe(true);
    expect(result.problems.map((p) => [p.message, p.line, p.column, p.endColumn])).toEqual([
      ['duplicate key "image"', 4, 5, 10],
      ['services.web.restart: must be a string, got a number', 5, 14, 15],
    ]);
  });

  it('reports an alias to an unknown anchor', () => {
    const text = lines('services:', '  web:', '    <<: *base', '    image: nginx');
    const result = validateCompose(text);
    expect(result.parsed).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ severity: 'error', line: 3, column: 9, endColumn: 14 });
    expect(result.problems[0]?.message).toContain('"base"');
  });

  it('refuses keys that are not strings, as compose does', () => {
    const text = lines('services:', '  web:', '    image: nginx', '    environment:', '      1: a');
    expect(problems(text)).toEqual([
      {
        severity: 'error',
        message: 'key 1 must be a string: quote it ("1")',
        line: 5,
        column: 7,
        endLine: 5,
        endColumn: 8,
      },
    ]);
  });

  it('only warns about an unknown tag, which compose ignores', () => {
    const text = lines('services:', '  web:', '    image: !foo nginx');
    expect(validateCompose(text)).toEqual({
      parsed: true,
      problems: [
        {
          severity: 'warning',
          message: 'Unresolved tag: !foo',
          line: 3,
          column: 12,
          endLine: 3,
          endColumn: 16,
        },
      ],
    });
  });

  // Stricter than compose, which expands such a file (and hangs on a deeper one).
  it('refuses an alias bomb instead of expanding it', () => {
    const text = lines(
      'x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
      'x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
      'services:',
      '  web:',
      '    image: nginx',
    );
    const result = validateCompose(text);
    expect(result.parsed).toBe(false);
    expect(result.problems).toMatchObject([{ severity: 'error', line: 1 }]);
  });
});

describe('validateCompose: the file as a whole', () => {
  const NEEDS = 'a mapping with a top-level `services` key';

  it('reports empty text', () => {
    expect(validateCompose('')).toEqual({
      parsed: true,
      problems: [
        {
          severity: 'error',
          message: `the compose file is empty: it must be ${NEEDS}`,
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 2,
        },
      ],
    });
    expect(problems('# only a comment\n')).toHaveLength(1);
  });

  it('reports a root that is not a mapping', () => {
    expect(problems(lines('- web', '- db'))).toEqual([
      {
        severity: 'error',
        message: `the compose file must be ${NEEDS}, not a list`,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 6,
      },
    ]);
    expect(problems('hello\n')[0]?.message).toBe(`the compose file must be ${NEEDS}, not a string`);
  });

  it('reports an empty document after a `---`, which compose refuses', () => {
    const text = lines('services:', '  web:', '    image: nginx', '---');
    expect(problems(text)).toMatchObject([{ severity: 'error', line: 4, column: 1, endColumn: 4 }]);
  });

  it('checks every document of a multi-document file', () => {
    const text = lines(
      'services:',
      '  web:',
      '    image: nginx',
      '---',
      'services:',
      '  web:',
      '    imagee: x',
    );
    expect(problems(text)).toMatchObject([
      { line: 7, column: 5, message: expect.stringContaining('imagee') },
    ]);
  });

  it('only warns about a file without services: `config` accepts it, `up` has nothing to do', () => {
    const text = lines('volumes:', '  data:');
    expect(validateCompose(text)).toEqual({
      parsed: true,
      problems: [expect.objectContaining({ severity: 'warning', line: 1, column: 1 })],
    });
    expect(problems(lines('services: {}'))).toMatchObject([{ severity: 'warning', endColumn: 9 }]);
    expect(problems(lines('include:', '  - other/compose.yaml'))).toEqual([]);
  });

  it('reports `services:` with nothing under it as an error, as compose does', () => {
    expect(problems(lines('services:'))).toEqual([
      {
        severity: 'error',
        message: 'services: must be a mapping, got an empty value',
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 9,
      },
    ]);
  });

  it('warns that `version` is obsolete', () => {
    const text = lines('version: "3.8"', 'services:', '  web:', '    image: nginx');
    expect(problems(text)).toEqual([
      {
        severity: 'warning',
        message: '`version` is obsolete: compose ignores it',
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 8,
      },
    ]);
  });
});

describe('validateCompose: schema', () => {
  it('points an unknown service key at the key itself, with a suggestion', () => {
    const text = lines('services:', '  web:', '    image: nginx', '    imagee: nginx');
    expect(validateCompose(text)).toEqual({
      parsed: true,
      problems: [
        {
          severity: 'error',
          message: 'services.web: unknown key "imagee" (did you mean "image"?)',
          line: 4,
          column: 5,
          endLine: 4,
          endColumn: 11,
        },
      ],
    });
  });

  it('reports an unknown top-level key', () => {
    const text = lines('services:', '  web:', '    image: nginx', 'foo: bar');
    expect(problems(text)).toEqual([
      {
        severity: 'error',
        message: 'unknown top-level key "foo"',
        line: 4,
        column: 1,
        endLine: 4,
        endColumn: 4,
      },
    ]);
  });

  it('reports a wrong type at the value', () => {
    const text = lines('services:', '  web:', '    image: nginx', '    ports: 80', '    restart: 5');
    const found = problems(text);
    expect(found.map((p) => p.message)).toEqual([
      'services.web.ports: must be a list, got a number',
      'services.web.restart: must be a string, got a number',
    ]);
    expect(found.map((p) => marked(text, p))).toEqual(['80', '5']);
  });

  it('collapses a failed oneOf into one message', () => {
    const text = lines('services:', '  web:', '    image: nginx', '    environment: 5');
    expect(problems(text).map((p) => p.message)).toEqual([
      'services.web.environment: must be a mapping or a list, got a number',
    ]);
  });

  it('reports the errors of the form the author meant inside a oneOf', () => {
    const text = lines(
      'services:',
      '  web:',
      '    image: nginx',
      '    ports:',
      '      - target: 80',
      '        publish: 8080',
      '    depends_on:',
      '      db:',
      '        condition: started',
      '  db:',
      '    image: postgres',
    );
    const found = problems(text);
    expect(found.map((p) => p.message)).toEqual([
      'services.web.ports[0]: unknown key "publish" (did you mean "published"?)',
      'services.web.depends_on.db.condition: must be one of: "service_started", "service_healthy", "service_completed_successfully"',
    ]);
    expect(found.map((p) => marked(text, p))).toEqual(['publish', 'started']);
  });

  it('reports a missing required key at the key of its mapping', () => {
    const text = lines(
      'services:',
      '  web:',
      '    image: nginx',
      '    depends_on:',
      '      db:',
      '        restart: true',
    );
    const [p] = problems(text);
    expect(p?.message).toBe('services.web.depends_on.db: missing required key "condition"');
    expect(p && marked(text, p)).toBe('db');
  });

  it('refuses an invalid service name', () => {
    const text = lines('services:', '  my app:', '    image: nginx');
    const [p] = problems(text);
    expect(p?.message).toContain('services: invalid name "my app"');
    expect(p && marked(text, p)).toBe('my app');
  });

  it('flags an interpolated value where only a non-string type is allowed, as compose does', () => {
    const text = lines(
      'services:',
      '  web:',
      '    image: nginx',
      '    depends_on:',
      '      db:',
      '        condition: service_started',
      '        required: ${DB_REQUIRED:-true}',
      '  db:',
      '    image: postgres',
    );
    expect(problems(text)).toMatchObject([{ severity: 'error', line: 7, column: 19 }]);
  });

  it('points at the anchor for errors in merged content, once for all its uses', () => {
    const text = lines(
      'x-base: &base',
      '  restart: 5',
      'services:',
      '  web:',
      '    <<: *base',
      '    image: nginx',
      '  api:',
      '    <<: *base',
      '    image: api',
    );
    expect(problems(text)).toEqual([
      {
        severity: 'error',
        message: 'services.web.restart: must be a string, got a number (and 1 more place using this anchor)',
        line: 2,
        column: 12,
        endLine: 2,
        endColumn: 13,
      },
    ]);
  });

  it('warns about duplicates compose drops, refuses those it does not', () => {
    const text = lines(
      'services:',
      '  web:',
      '    image: nginx',
      '    cap_add: [NET_ADMIN, NET_ADMIN]',
      '    security_opt: [a, a]',
    );
    expect(problems(text).map((p) => [p.severity, p.message, p.line, p.column])).toEqual([
      ['warning', 'services.web.cap_add: duplicate item "NET_ADMIN" (compose keeps one)', 4, 26],
      ['error', 'services.web.security_opt: duplicate item "a"', 5, 23],
    ]);
  });

  it('sorts problems by position and caps them', () => {
    const keys = Array.from({ length: 150 }, (_, i) => `    bad${i}: x`);
    const text = lines('services:', '  web:', '    image: nginx', ...keys, 'zzz: 1', 'aaa: 2');
    const found = problems(text);
    expect(found).toHaveLength(MAX_PROBLEMS);
    const order = found.map((p) => p.line * 1000 + p.column);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(found[0]?.message).toBe('services.web: unknown key "bad0"');
  });
});
