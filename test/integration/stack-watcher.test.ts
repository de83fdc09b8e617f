import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StackEvent } from '../../server/src/stacks/stack-store.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';

const YAML = 'services:\n  app:\n    image: berth-test/busybox:latest\n';

/** Writes `count` files spread over nested folders below `dir`. */
export function makeDataFolder(dir: string, count: number): void {
  const perDir = 500;
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `d${Math.floor(i / perDir)}`);
    if (i % perDir === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `f${i}.dat`), 'x');
  }
}

let t: TestBerth;
let events: StackEvent[];
beforeEach(async () => {
  t = await startBerth();
  events = [];
  t.berth.store.onChange((e) => events.push(e));
});
afterEach(() => t.close());

/** Managed stacks only: the shared engine may hold other tests' compose projects (managed: false). */
const names = async () =>
  ((await t.agent.get('/api/stacks')).body as Array<{ name: string; managed: boolean }>)
    .filter((s) => s.managed)
    .map((s) => s.name);
const within = { timeout: 1000, interval: 25 };

describe('edits by other programs reach the API within a second', () => {
  it('a new folder with a compose file appears, a change is seen, a removal disappears', async () => {
    const dir = path.join(t.config.stacksDir, 'outside');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'compose.yaml'), YAML);
    await expect.poll(names, within).toEqual(['outside']);

    const before = (await t.agent.get('/api/stacks/outside')).body;
    writeFileSync(path.join(dir, 'compose.yaml'), YAML + '  db:\n    image: berth-test/busybox:latest\n');
    await expect.poll(async () => (await t.agent.get('/api/stacks')).body[0]?.services.total, within).toBe(2);
    const after = (await t.agent.get('/api/stacks/outside')).body;
    expect(after.etag).not.toBe(before.etag);

    writeFileSync(path.join(dir, '.env'), 'X=1\n');
    await expect.poll(async () => (await t.agent.get('/api/stacks/outside')).body.env, within).toBe('X=1\n');

    rmSync(dir, { recursive: true });
    await expect.poll(names, within).toEqual([]);
    expect(events.map((e) => e.type)).toContain('removed');
  });

  it('a compose file added to an existing folder, or a folder renamed, is followed', async () => {
    const dir = path.join(t.config.stacksDir, 'later');
    mkdirSync(dir);
    await new Promise((r) => setTimeout(r, 100));
    expect(await names()).toEqual([]);
    writeFileSync(path.join(dir, 'docker-compose.yml'), YAML);
    await expect.poll(names, within).toEqual(['later']);
    renameSync(dir, path.join(t.config.stacksDir, 'renamed'));
    await expect.poll(names, within).toEqual(['renamed']);
  });

  it('never reports changes deep inside a stack (data folders are not watched)', async () => {
    const dir = path.join(t.config.stacksDir, 'data-heavy');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'compose.yaml'), YAML);
    await expect.poll(names, within).toEqual(['data-heavy']);
    events.length = 0;
    makeDataFolder(path.join(dir, 'data'), 300);
    writeFileSync(path.join(dir, 'data', 'd0', 'f0.dat'), 'changed');
    writeFileSync(path.join(dir, 'notes.txt'), 'not a compose file');
    await new Promise((r) => setTimeout(r, 300));
    expect(events).toEqual([]);
  });
});

describe('a stack holding 50,000 files under ./data', () => {
  it('starts, lists and follows edits like any other', async () => {
    await t.close();
    t = await startBerth({ keepDirs: true });
    const dir = path.join(t.config.stacksDir, 'big');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'compose.yaml'), YAML);
    makeDataFolder(path.join(dir, 'data'), 50_000);
    const config = t.config;
    await t.close();
    // Restart on the same folders: discovery and watcher start-up face the 50,000 files.
    t = await startBerth({ config });
    expect(await names()).toEqual(['big']);
    writeFileSync(path.join(dir, 'compose.yaml'), YAML.replace('app', 'web'));
    await expect.poll(async () => (await t.agent.get('/api/stacks/big')).body.yaml, within).toContain('web');
    rmSync(path.dirname(config.stacksDir), { recursive: true, force: true });
  }, 120_000);
});
