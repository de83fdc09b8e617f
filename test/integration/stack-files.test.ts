import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackFileList } from '../../common/stack-files.js';
import type { Problem } from '../../common/stack.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { engineGate } from '../helpers/engine.js';

const hasEngine = await engineGate();

describe.runIf(hasEngine)('override, include and extends files of a stack', () => {
  let t: TestBerth;
  const name = `val-${process.pid}-files`;
  const dir = () => path.join(t.config.stacksDir, name);
  const files = (p = '') => `/api/stacks/${name}/files${p}`;
  const main =
    'include:\n  - extra/db.yaml\nservices:\n  web:\n    extends: {file: base.yaml, service: base}\n';

  beforeAll(async () => {
    t = await startBerth();
    await t.agent.post('/api/stacks').send({ name, yaml: main }).expect(201);
    const fs = await import('node:fs');
    fs.mkdirSync(path.join(dir(), 'extra'));
    writeFileSync(
      path.join(dir(), 'extra', 'db.yaml'),
      'services:\n  db:\n    image: berth-test/busybox:latest\n',
    );
    writeFileSync(
      path.join(dir(), 'base.yaml'),
      'services:\n  base:\n    image: berth-test/busybox:latest\n',
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists the override file to create and the include and extends targets', async () => {
    const list = (await t.agent.get(files()).expect(200)).body as StackFileList;
    expect(list.files).toEqual([
      { path: 'compose.override.yaml', kind: 'override', exists: false },
      { path: 'extra/db.yaml', kind: 'include', exists: true },
      { path: 'base.yaml', kind: 'extends', exists: true },
    ]);
  });

  it('creates the override file, and compose judges it together with the main file', async () => {
    const empty = await t.agent.get(files('/compose.override.yaml')).expect(200);
    expect(empty.body).toEqual({ path: 'compose.override.yaml', content: '', etag: '' });
    const bad = 'services:\n  web:\n    ports: ["80:abc"]\n';
    const saved = await t.agent
      .put(files('/compose.override.yaml'))
      .send({ content: bad, etag: '' })
      .expect(200);
    expect(readFileSync(path.join(dir(), 'compose.override.yaml'), 'utf8')).toBe(bad);
    expect((saved.body.problems as Problem[]).map((p) => p.message)).toEqual([
      expect.stringContaining('Invalid containerPort: abc'),
    ]);
    // The whole folder is what an action reads: it is refused now.
    await t.agent.post(`/api/stacks/${name}/up`).expect(422);
    const good = 'services:\n  web:\n    ports: ["18080:80"]\n';
    const again = await t.agent
      .put(files('/compose.override.yaml'))
      .send({ content: good, etag: saved.body.etag })
      .expect(200);
    expect(again.body.problems).toEqual([]);
    // A stale etag is a conflict carrying what is on disk.
    const stale = await t.agent
      .put(files('/compose.override.yaml'))
      .send({ content: bad, etag: saved.body.etag })
      .expect(409);
    expect(stale.body.error.details.current.content).toBe(good);
  });

  it('keeps the overwritten text of override and include files in history, naming the file, and restores it', async () => {
    const history = async () =>
      (await t.agent.get(`/api/stacks/${name}/history`).expect(200)).body as Array<{
        id: string;
        file?: string;
      }>;
    const before = (await history()).length;
    const inc = files(`/${encodeURIComponent('extra/db.yaml')}`);
    const original = readFileSync(path.join(dir(), 'extra', 'db.yaml'), 'utf8');
    const read = await t.agent.get(inc).expect(200);
    const changed = 'services:\n  db:\n    image: berth-test/busybox:latest\n    command: ["sleep", "60"]\n';
    await t.agent.put(inc).send({ content: changed, etag: read.body.etag }).expect(200);
    const list = await history();
    expect(list).toHaveLength(before + 1);
    const newest = list[0];
    expect(newest?.file).toBe('extra/db.yaml');
    const version = await t.agent.get(`/api/stacks/${name}/history/${newest?.id}`).expect(200);
    expect(version.body).toMatchObject({ yaml: original, env: null, file: 'extra/db.yaml' });
    // The override saves of the test above are there too, each naming its file.
    expect(list.filter((h) => h.file === 'compose.override.yaml').length).toBeGreaterThanOrEqual(1);
    const mainBefore = readFileSync(path.join(dir(), 'compose.yaml'), 'utf8');
    await t.agent.post(`/api/stacks/${name}/history/${newest?.id}/restore`).expect(200);
    expect(readFileSync(path.join(dir(), 'extra', 'db.yaml'), 'utf8')).toBe(original);
    // Restoring wrote that file only, and kept the text it replaced.
    expect(readFileSync(path.join(dir(), 'compose.yaml'), 'utf8')).toBe(mainBefore);
    const after = await history();
    expect(after).toHaveLength(before + 2);
    const replaced = await t.agent.get(`/api/stacks/${name}/history/${after[0]?.id}`).expect(200);
    expect(replaced.body).toMatchObject({ yaml: changed, file: 'extra/db.yaml' });
  });

  it('opens an include target in a subfolder (URL-encoded path)', async () => {
    const res = await t.agent.get(files(`/${encodeURIComponent('extra/db.yaml')}`)).expect(200);
    expect(res.body.content).toContain('db:');
  });

  it('refuses files that are not on the list, and paths that leave the folder', async () => {
    writeFileSync(path.join(dir(), 'notes.yaml'), 'x: 1\n');
    await t.agent.get(files('/notes.yaml')).expect(404);
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', '.env', '%2Fetc%2Fpasswd', 'a%2F..%2F..%2Fx']) {
      await t.agent.get(files(`/${bad}`)).expect(400);
    }
  });
});
