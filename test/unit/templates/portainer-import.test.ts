import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { TemplateMeta } from '../../../common/templates.js';
import { AppError } from '../../../server/src/errors.js';
import { importCatalogue } from '../../../server/src/templates/portainer-import.js';
import { resolveValues, renderEnv } from '../../../server/src/templates/template-values.js';
import { validateCompose } from '../../../server/src/validate/compose-validator.js';

// Real catalogues (see test/fixtures/portainer/README.md for their sources).
const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/portainer');
const load = (f: string): unknown => JSON.parse(readFileSync(path.join(FIXTURES, f), 'utf8'));
const official = importCatalogue(load('portainer-templates-2.0.json'));
const technorabilia = importCatalogue(load('technorabilia-templates.json'));

type Service = Record<string, unknown> & {
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
};
const serviceOf = (compose: string): Service => {
  const doc = parse(compose) as { services: Record<string, Service> };
  const [svc] = Object.values(doc.services);
  if (!svc) throw new Error('no service');
  return svc;
};
const byTitle = (title: string) => {
  const t = official.templates.find((x) => x.meta.title === title);
  if (!t) throw new Error(`no ${title}`);
  return t;
};

describe("Portainer's own catalogue (templates-2.0.json, 50 entries)", () => {
  it('imports the 37 Linux container templates and skips the rest, each with a reason', () => {
    expect(official.templates).toHaveLength(37);
    expect(official.skipped).toHaveLength(13);
    const reasons = official.skipped.map((s) => `${s.title}: ${s.reason}`);
    expect(reasons).toContain(
      'Wordpress: a compose stack from a git repository: needs a git repository, skipped',
    );
    expect(reasons).toContain(
      'OpenFaaS: a swarm stack from a git repository: needs a git repository, skipped',
    );
    expect(reasons.filter((r) => r.includes('needs a git repository'))).toHaveLength(9);
    expect(reasons.filter((r) => r.includes('Windows'))).toHaveLength(2);
    expect(reasons.filter((r) => r.includes('type 4'))).toHaveLength(2);
  });

  it('every imported compose file passes Berth’s validator and its metadata is a valid template.json', () => {
    for (const t of [...official.templates, ...technorabilia.templates]) {
      const errors = validateCompose(t.compose).problems.filter((p) => p.severity === 'error');
      expect(errors, t.meta.title).toEqual([]);
      expect(TemplateMeta.safeParse(t.meta).success, t.meta.title).toBe(true);
      expect(t.compose.startsWith(`# ${t.meta.title}: imported`), t.meta.title).toBe(true);
    }
  });

  it('gives each template a unique folder name (two "SQL Server" entries, one Windows)', () => {
    const names = official.templates.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('sql-server');
    expect(names).toContain('gitlab-ce');
  });

  it('maps ports without a host port to port variables defaulting to the container port', () => {
    const nginx = byTitle('Nginx');
    expect(serviceOf(nginx.compose).ports).toEqual(['${PORT_80}:80/tcp', '${PORT_443}:443/tcp']);
    expect(nginx.meta.variables.map((v) => [v.name, v.type, v.default])).toEqual([
      ['PORT_80', 'port', '80'],
      ['PORT_443', 'port', '443'],
    ]);
    expect(nginx.envExample).toBe('PORT_80=80\nPORT_443=443\n');
  });

  it('maps volumes without a bind to named volumes declared at the top level', () => {
    const gitlab = byTitle('Gitlab CE');
    const doc = parse(gitlab.compose) as { volumes: Record<string, unknown> };
    expect(serviceOf(gitlab.compose).volumes).toEqual([
      'gitlab-ce-data-1:/etc/gitlab',
      'gitlab-ce-data-2:/var/log/gitlab',
      'gitlab-ce-data-3:/var/opt/gitlab',
    ]);
    expect(Object.keys(doc.volumes)).toEqual(['gitlab-ce-data-1', 'gitlab-ce-data-2', 'gitlab-ce-data-3']);
    expect(gitlab.meta.category).toBe('development');
    expect(gitlab.meta.description).toContain(
      'Note: Default username is root. Check the Gitlab documentation',
    );
  });

  it('keeps binds and read-only flags as written', () => {
    expect(serviceOf(byTitle('Datadog agent').compose).volumes).toEqual([
      '/var/run/docker.sock:/var/run/docker.sock:ro',
      '/sys/fs/cgroup:/host/sys/fs/cgroup:ro',
      '/proc:/host/proc:ro',
    ]);
  });

  it('turns env entries into variables: passwords become generated secrets, keys and tokens text', () => {
    const pg = byTitle('PostgreSQL');
    expect(serviceOf(pg.compose).environment).toEqual({
      POSTGRES_USER: '${POSTGRES_USER}',
      POSTGRES_PASSWORD: '${POSTGRES_PASSWORD}',
    });
    expect(pg.meta.variables.filter((v) => v.name.startsWith('POSTGRES'))).toEqual([
      { name: 'POSTGRES_USER', label: 'Superuser', type: 'text' },
      { name: 'POSTGRES_PASSWORD', label: 'Superuser password', type: 'secret', length: 32 },
    ]);
    const dd = byTitle('Datadog agent').meta.variables.find((v) => v.name === 'DD_API_KEY');
    expect(dd?.type).toBe('text');
    const minio = byTitle('Minio').meta.variables;
    expect(minio.find((v) => v.name === 'MINIO_SECRET_KEY')?.type).toBe('secret');
    expect(serviceOf(byTitle('Minio').compose).command).toBe('server /data');
  });

  it('writes `set` values into the compose file, not the form', () => {
    const sql = byTitle('SQL Server');
    expect(serviceOf(sql.compose).environment?.ACCEPT_EULA).toBe('Y');
    expect(sql.meta.variables.map((v) => v.name)).not.toContain('ACCEPT_EULA');
    const wowza = byTitle('Wowza');
    expect(serviceOf(wowza.compose).environment?.WOWZA_ACCEPT_LICENSE).toBe('yes');
  });

  it('describes `type: container` env entries and keeps privileged', () => {
    const joomla = byTitle('Joomla').meta.variables.find((v) => v.name === 'JOOMLA_DB_HOST');
    expect(joomla?.description).toMatch(/container/);
    expect(serviceOf(byTitle('IronFunctions API').compose).privileged).toBe(true);
    expect(
      Object.keys((parse(byTitle('Sematext Docker Agent').compose) as { services: object }).services),
    ).toEqual(['sematext-agent']);
  });

  it('an imported template makes a .env with every variable set (secrets generated)', () => {
    const mysql = byTitle('MySQL');
    const { env, generated } = resolveValues(mysql.meta.variables, {});
    expect(generated).toEqual(['MYSQL_ROOT_PASSWORD']);
    const text = renderEnv(mysql.envExample, env);
    expect(text).toMatch(/^MYSQL_ROOT_PASSWORD=[A-Za-z0-9_-]{32}\nPORT_3306=3306\n$/);
  });
});

describe("Technorabilia's catalogue (defaults, host ports, restart policies)", () => {
  it('keeps defaults, the host port given, and the restart policy', () => {
    const [sync] = technorabilia.templates;
    expect(sync?.name).toBe('adguardhome-sync');
    const svc = serviceOf(sync?.compose ?? '');
    expect(svc.restart).toBe('unless-stopped');
    expect(svc.ports).toEqual(['${PORT_8080}:8080/tcp']);
    expect(svc.volumes).toEqual(['/volume1/docker/adguardhome-sync/config:/config']);
    expect(sync?.meta.variables.find((v) => v.name === 'TZ')).toMatchObject({
      type: 'text',
      default: 'Europe/Amsterdam',
    });
    expect(technorabilia.templates.map((t) => t.meta.category)).toEqual(['other', 'notifications', 'media']);
  });
});

describe('select and preset env entries (hand-written: neither real catalogue above has one)', () => {
  it('maps select to a select variable with the default option, preset to a fixed value', () => {
    const r = importCatalogue({
      version: '2',
      templates: [
        {
          type: 1,
          title: 'Select demo',
          image: 'busybox',
          env: [
            {
              name: 'MODE',
              label: 'Mode',
              select: [
                { text: 'Dev', value: 'dev' },
                { text: 'Prod', value: 'prod', default: true },
              ],
            },
            { name: 'FIXED', label: 'Fixed', default: 'a$b', preset: true },
          ],
          labels: [{ name: 'com.example.x', value: '1' }],
          network: 'host',
          ports: ['80/tcp'],
        },
      ],
    });
    const t = r.templates[0];
    expect(t?.meta.variables).toEqual([
      {
        name: 'MODE',
        label: 'Mode',
        type: 'select',
        options: [
          { value: 'dev', label: 'Dev' },
          { value: 'prod', label: 'Prod' },
        ],
        default: 'prod',
      },
    ]);
    const svc = serviceOf(t?.compose ?? '');
    expect(svc.environment).toEqual({ MODE: '${MODE}', FIXED: 'a$$b' });
    expect(svc.labels).toEqual({ 'com.example.x': '1' });
    expect(svc.network_mode).toBe('host');
    expect(svc.ports).toBeUndefined();
  });
});

describe('refusals', () => {
  it('refuses what is not a v2 catalogue', () => {
    expect(() => importCatalogue({ templates: [] })).toThrow(AppError);
    expect(() => importCatalogue({ version: '3', templates: [] })).toThrow(/version "3"/);
    expect(() => importCatalogue([{ title: 'v1 list' }])).toThrow(AppError);
  });

  it('skips an entry that is not a template, naming it', () => {
    const r = importCatalogue({ version: '2', templates: [{ title: 'No type' }, 42] });
    expect(r.templates).toEqual([]);
    expect(r.skipped.map((s) => s.title)).toEqual(['No type', '#2']);
  });
});
