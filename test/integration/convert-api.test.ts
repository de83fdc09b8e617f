import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConvertResponse, MAX_COMMAND_BYTES } from '../../common/api.js';
import { composeConfig } from '../fixtures/convert/corpus.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { engineGate } from '../helpers/engine.js';

const hasEngine = await engineGate();

let t: TestBerth;
beforeAll(async () => {
  t = await startBerth();
});
afterAll(async () => {
  await t.close();
});

const convert = (body: unknown) => t.agent.post('/api/convert').send(body as object);

const EXISTING = `# my stack
services:
  # the front door
  web:
    image: nginx:1.27 # pinned
    ports:
      - "80:80"

volumes:
  data: {}
`;

describe('POST /api/convert', () => {
  it('needs a session', async () => {
    const res = await t.anon().post('/api/convert').send({ command: 'docker run nginx' }).expect(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  });

  it('converts a multi-line command and names what compose cannot express', async () => {
    const res = await convert({
      command:
        "sudo docker run -it --rm --name web \\\n  -p 8080:80 -e 'PASS=a$b' \\\n  -v data:/usr/share/nginx/html nginx\n",
    }).expect(200);
    const body = ConvertResponse.parse(res.body);
    expect(parse(body.yaml)).toEqual({
      services: {
        web: {
          image: 'nginx',
          container_name: 'web',
          ports: ['8080:80'],
          volumes: ['data:/usr/share/nginx/html'],
          environment: { PASS: 'a$$b' },
          stdin_open: true,
          tty: true,
        },
      },
      volumes: { data: null },
    });
    expect(body.yaml).not.toMatch(/^(version|name):/m);
    expect(body.warnings).toHaveLength(1);
    expect(body.warnings[0]).toContain('`--rm`');
  });

  it('answers 400 with a clear message for text without a run command', async () => {
    const res = await convert({ command: 'docker ps -a\nls -l\n' }).expect(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    expect(res.body.error.message).toMatch(/no docker run command found/);
  });

  it('answers 400 for an empty command, one over 64 KiB, and an unterminated quote', async () => {
    expect((await convert({ command: '' }).expect(400)).body.error.code).toBe('BAD_REQUEST');
    const long = `docker run nginx ${'x'.repeat(MAX_COMMAND_BYTES)}`;
    expect((await convert({ command: long }).expect(400)).body.error.message).toMatch(/64 KiB/);
    const res = await convert({ command: "docker run -e 'A=b nginx" }).expect(400);
    expect(res.body.error.message).toMatch(/line 1: unterminated ' quote/);
  });

  it('adds services to an existing file, keeping its comments and renaming a clashing service', async () => {
    const res = await convert({
      command: 'docker run -d --name web -p 8080:80 -v data:/data -v cache:/cache nginx:alpine',
      into: EXISTING,
    }).expect(200);
    const body = ConvertResponse.parse(res.body);
    expect(body.yaml.startsWith('# my stack\nservices:\n  # the front door\n  web:\n')).toBe(true);
    expect(body.yaml).toContain('image: nginx:1.27 # pinned');
    const doc = parse(body.yaml) as {
      services: Record<string, { image: string; container_name?: string }>;
      volumes: Record<string, unknown>;
    };
    expect(Object.keys(doc.services)).toEqual(['web', 'web-2']);
    expect(doc.services.web?.image).toBe('nginx:1.27');
    expect(doc.services['web-2']).toMatchObject({ image: 'nginx:alpine', container_name: 'web' });
    expect(doc.volumes).toEqual({ data: {}, cache: null });
    expect(body.warnings).toEqual(
      expect.arrayContaining([
        'service `web` already exists; added as `web-2`',
        'volume `data` was already declared; it is shared',
      ]),
    );
  });

  it('keeps the indentation of the file it adds to', async () => {
    const into =
      'services:\n    app:\n        image: busybox\n        command:\n            - sleep\n            - "60"\n';
    const res = await convert({ command: 'docker run -d -p 80:80 nginx', into }).expect(200);
    expect(res.body.yaml).toBe(
      `${into}    nginx:\n        image: nginx\n        ports:\n            - "80:80"\n`,
    );
  });

  it('answers 422 for an `into` that is not YAML or not a mapping', async () => {
    const bad = await convert({ command: 'docker run nginx', into: 'services: [a\n' }).expect(422);
    expect(bad.body.error.code).toBe('INVALID_COMPOSE');
    expect(bad.body.error.message).toMatch(/not valid YAML \(line \d+, column \d+\)/);
    const list = await convert({ command: 'docker run nginx', into: '- a\n- b\n' }).expect(422);
    expect(list.body.error.message).toMatch(/not a mapping/);
    const services = await convert({ command: 'docker run nginx', into: 'services: 3\n' }).expect(422);
    expect(services.body.error.message).toMatch(/`services` .* is not a mapping/);
  });

  it('turns an empty `into` into a new file, keeping its comments', async () => {
    const res = await convert({ command: 'docker run redis', into: '# cache\n' }).expect(200);
    expect(res.body.yaml).toBe('# cache\n\nservices:\n  redis:\n    image: redis\n');
  });

  describe.runIf(hasEngine)('with real docker compose', () => {
    it('produces files that `docker compose config` accepts, merged ones included', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'berth-convert-api-'));
      try {
        const res = await convert({
          command:
            'docker network create net\ndocker run -d --name web --network net -p 8080:80 nginx\ndocker run -d --name cache --network net redis',
          into: EXISTING,
        }).expect(200);
        const verdict = await composeConfig(dir, 'compose.yaml', res.body.yaml);
        expect(verdict.ok, verdict.ok ? '' : verdict.error).toBe(true);
        const services = (verdict as { config: { services: Record<string, { container_name?: string }> } })
          .config.services;
        expect(Object.keys(services).sort()).toEqual(['cache', 'web', 'web-2']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
