import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inferVariables, TemplateMeta, type TemplateVariable } from '../../../common/templates.js';
import { AppError } from '../../../server/src/errors.js';
import {
  envQuote,
  exampleFromEnv,
  generateSecret,
  renderEnv,
  resolveValues,
} from '../../../server/src/templates/template-values.js';
import { envEntries } from '../../../common/templates.js';

const VARS: TemplateVariable[] = [
  { name: 'TITLE', label: 'Title', type: 'text', default: 'My site' },
  { name: 'WORKERS', label: 'Workers', type: 'number', default: '2' },
  { name: 'DEBUG', label: 'Debug', type: 'boolean', default: 'false' },
  {
    name: 'MODE',
    label: 'Mode',
    type: 'select',
    options: [{ value: 'dev' }, { value: 'prod' }],
    default: 'prod',
  },
  { name: 'PORT', label: 'Port', type: 'port', default: '8080', required: true },
  { name: 'DATA', label: 'Data', type: 'path', default: '/srv/data' },
  { name: 'TOKEN', label: 'Token', type: 'secret', length: 40 },
  { name: 'ADMIN_EMAIL', label: 'Admin e-mail', type: 'text', required: true },
];

function issuesOf(fn: () => unknown): Array<{ path: string; message: string }> {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('BAD_REQUEST');
    return ((err as AppError).details as { issues: Array<{ path: string; message: string }> }).issues;
  }
  throw new Error('expected a 400');
}

describe('template.json metadata', () => {
  it('parses a full template and fills the optional fields', () => {
    const meta = TemplateMeta.parse({ title: 'T', variables: VARS });
    expect(meta.category).toBe('other');
    expect(meta.description).toBe('');
    expect(meta.variables).toHaveLength(VARS.length);
  });

  it('refuses an unknown type, a select without options, a default outside the options, duplicate names', () => {
    expect(
      TemplateMeta.safeParse({ title: 'T', variables: [{ name: 'A', label: 'A', type: 'colour' }] }).success,
    ).toBe(false);
    expect(
      TemplateMeta.safeParse({ title: 'T', variables: [{ name: 'A', label: 'A', type: 'select' }] }).success,
    ).toBe(false);
    const outside = { name: 'A', label: 'A', type: 'select', options: [{ value: 'x' }], default: 'y' };
    expect(TemplateMeta.safeParse({ title: 'T', variables: [outside] }).success).toBe(false);
    const dup = { name: 'A', label: 'A', type: 'text' };
    expect(TemplateMeta.safeParse({ title: 'T', variables: [dup, dup] }).success).toBe(false);
    expect(
      TemplateMeta.safeParse({ title: 'T', variables: [{ name: '1A', label: 'A', type: 'text' }] }).success,
    ).toBe(false);
    expect(TemplateMeta.safeParse({ title: '', variables: [] }).success).toBe(false);
  });
});

describe('values checked against the variables', () => {
  it('takes given values, defaults for empty ones, and generates empty secrets', () => {
    const r = resolveValues(VARS, {
      TITLE: 'Shop',
      WORKERS: 4,
      DEBUG: true,
      PORT: '9000',
      ADMIN_EMAIL: 'a@b.c',
    });
    expect(Object.fromEntries(r.env)).toMatchObject({
      TITLE: 'Shop',
      WORKERS: '4',
      DEBUG: 'true',
      MODE: 'prod',
      PORT: '9000',
      DATA: '/srv/data',
      ADMIN_EMAIL: 'a@b.c',
    });
    expect(r.generated).toEqual(['TOKEN']);
    expect(r.env.get('TOKEN')).toMatch(/^[A-Za-z0-9_-]{40}$/);
  });

  it('keeps a secret the user typed', () => {
    const r = resolveValues(VARS, { TOKEN: 'mine', ADMIN_EMAIL: 'x' });
    expect(r.env.get('TOKEN')).toBe('mine');
    expect(r.generated).toEqual([]);
  });

  it.each([
    ['WORKERS', 'many', 'must be a number'],
    ['PORT', '0', 'must be a port number from 1 to 65535'],
    ['PORT', '65536', 'must be a port number from 1 to 65535'],
    ['PORT', '80.5', 'must be a port number from 1 to 65535'],
    ['DEBUG', 'yes', 'must be true or false'],
    ['MODE', 'test', 'must be one of "dev", "prod"'],
    ['DATA', 'relative/dir', 'must be an absolute path (starting with /)'],
    ['TITLE', 'two\nlines', 'must be one line'],
  ])('refuses %s = %j with the field named', (field, value, message) => {
    const issues = issuesOf(() => resolveValues(VARS, { ADMIN_EMAIL: 'x', [field]: value }));
    expect(issues).toEqual([{ path: `values.${field}`, message }]);
  });

  it('names a missing required value and a value for no variable', () => {
    const issues = issuesOf(() => resolveValues(VARS, { NOPE: '1' }));
    expect(issues).toEqual([
      { path: 'values.NOPE', message: 'is not a variable of this template' },
      { path: 'values.ADMIN_EMAIL', message: 'is required' },
    ]);
  });

  it('a required port with a default is satisfied by its default', () => {
    expect(resolveValues(VARS, { ADMIN_EMAIL: 'x', PORT: '' }).env.get('PORT')).toBe('8080');
  });
});

describe('secret generation', () => {
  it('has the asked length and only URL-safe characters', () => {
    for (const n of [8, 17, 32, 64, 256])
      expect(generateSecret(n)).toMatch(new RegExp(`^[A-Za-z0-9_-]{${n}}$`));
  });

  it('uses every character of the alphabet without bias (64 divides 256)', () => {
    const counts = new Map<string, number>();
    for (const c of generateSecret(64_000)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(64);
    // 1000 expected per character; a biased mapping would starve some characters entirely.
    for (const n of counts.values()) expect(n).toBeGreaterThan(700);
  });

  it('maps the random bytes it is given: the same bytes, the same secret', () => {
    const bytes = randomBytes(32);
    expect(generateSecret(32, () => bytes)).toBe(generateSecret(32, () => bytes));
    expect(generateSecret(4, () => Buffer.from([0, 63, 64, 255]))).toBe('A_A_');
  });

  it('is different every time', () => {
    expect(generateSecret(32)).not.toBe(generateSecret(32));
  });
});

describe('.env writing', () => {
  it('fills the lines of .env.example, keeps comments, appends the rest', () => {
    const example = '# credentials\nUSER=\nexport PASS=old\n\nOTHER=keep\n';
    const env = renderEnv(
      example,
      new Map([
        ['USER', 'app'],
        ['PASS', 's3cret'],
        ['PORT', '80'],
      ]),
    );
    expect(env).toBe('# credentials\nUSER=app\nexport PASS=s3cret\n\nOTHER=keep\nPORT=80\n');
  });

  it('quotes values so compose reads them back unchanged', () => {
    expect(envQuote('plain-value_1.2')).toBe('plain-value_1.2');
    expect(envQuote('two words # not a comment')).toBe("'two words # not a comment'");
    expect(envQuote('pa$$word')).toBe("'pa$$word'");
    expect(envQuote("it's")).toBe('"it\'s"');
    expect(() => envQuote("it's $HOME")).toThrow(AppError);
    const written = renderEnv(
      null,
      new Map([
        ['A', 'x y'],
        ['B', "it's"],
      ]),
    );
    expect(envEntries(written)).toEqual([
      { key: 'A', value: 'x y' },
      { key: 'B', value: "it's" },
    ]);
  });

  it('blanks secret values when a stack .env becomes .env.example', () => {
    const env = '# db\nDB_USER=app\nDB_PASSWORD=hunter2\nexport API_TOKEN="abc"\nPORT=80';
    expect(exampleFromEnv(env, new Set(['DB_PASSWORD', 'API_TOKEN']))).toBe(
      '# db\nDB_USER=app\nDB_PASSWORD=\nexport API_TOKEN=\nPORT=80',
    );
  });
});

describe('variables inferred from a stack .env', () => {
  it('guesses secrets, ports, numbers, booleans, paths and text from keys and values', () => {
    const env = [
      '# comment',
      'POSTGRES_PASSWORD=change-me',
      'SECRET_KEY_BASE=abc',
      'API_KEY=xyz',
      'WEB_PORT=8080',
      'WORKERS=4',
      'DEBUG=False',
      'DATA_DIR=/srv/data',
      'TZ=Europe/Berlin',
      'EMPTY=',
      'WEB_PORT=9090',
    ].join('\n');
    expect(inferVariables(env)).toEqual([
      { name: 'POSTGRES_PASSWORD', label: 'Postgres password', type: 'secret', length: 32 },
      { name: 'SECRET_KEY_BASE', label: 'Secret key base', type: 'secret', length: 32 },
      { name: 'API_KEY', label: 'Api key', type: 'secret', length: 32 },
      { name: 'WEB_PORT', label: 'Web port', type: 'port', default: '8080' },
      { name: 'WORKERS', label: 'Workers', type: 'number', default: '4' },
      { name: 'DEBUG', label: 'Debug', type: 'boolean', default: 'false' },
      { name: 'DATA_DIR', label: 'Data dir', type: 'path', default: '/srv/data' },
      { name: 'TZ', label: 'Tz', type: 'text', default: 'Europe/Berlin' },
      { name: 'EMPTY', label: 'Empty', type: 'text' },
    ]);
    expect(inferVariables(null)).toEqual([]);
  });

  it('every inferred variable is valid template metadata', () => {
    const vars = inferVariables('A_PASSWORD=x\nB_PORT=70000\nC=1\n');
    expect(TemplateMeta.safeParse({ title: 't', variables: vars }).success).toBe(true);
    expect(vars.find((v) => v.name === 'B_PORT')?.type).toBe('number');
  });
});
