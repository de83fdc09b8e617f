import { afterEach, describe, expect, it } from 'vitest';
import type { LogLine } from '../../../common/logs.js';
import { EngineState } from '../../../server/src/engine/engine-state.js';
import { silentLogger } from '../../../server/src/logger.js';
import { LogHub } from '../../../server/src/logs/log-hub.js';
import { LogQuery } from '../../../server/src/logs/log-query.js';
import { compileFilter } from '../../../server/src/logs/log-filter.js';
import { container, FakeEngine } from '../../helpers/fake-engine.js';

// The machine is shared: conditions get time, never sleeps.
const SLOW = { timeout: 5000 };
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

async function setup(
  containers = [container({ project: 'p', service: 'web' }), container({ project: 'p', service: 'db' })],
) {
  const engine = new FakeEngine(containers);
  const state = new EngineState(engine, silentLogger());
  await state.start();
  const hub = new LogHub(engine, state, silentLogger(), { lingerMs: 50, batchMs: 5, reopenMs: 10 });
  cleanup.push(
    () => hub.close(),
    () => state.stop(),
  );
  return { engine, state, hub };
}

function collector() {
  const lines: LogLine[] = [];
  return {
    lines,
    sink: (batch: LogLine[]) => {
      lines.push(...batch);
    },
    texts: () => lines.map((l) => l.text),
  };
}

describe('LogHub', () => {
  it('shares one engine stream per container between subscribers and closes it after the last leaves', async () => {
    const { engine, hub } = await setup();
    const [web, db] = [...engine.containers.values()];
    const a = collector();
    const b = collector();
    const idA = hub.subscribe({ project: 'p' }, {}, a.sink);
    const idB = hub.subscribe({ project: 'p' }, {}, b.sink);
    await expect.poll(() => engine.openFollowStreams(), SLOW).toBe(2);
    expect(engine.logCalls).toBe(2);

    engine.print(web!.id, 'hello from web');
    engine.print(db!.id, '{"level":"error","msg":"db broke"}', 'stderr');
    await expect
      .poll(() => a.texts(), SLOW)
      .toEqual(['hello from web', '{"level":"error","msg":"db broke"}']);
    await expect.poll(() => b.texts(), SLOW).toEqual(a.texts());
    expect(a.lines[1]).toMatchObject({
      service: 'db',
      stream: 'stderr',
      level: 'error',
      container: db!.name,
    });

    hub.unsubscribe(idA);
    engine.print(web!.id, 'only b sees this');
    await expect.poll(() => b.texts(), SLOW).toContain('only b sees this');
    expect(a.texts()).not.toContain('only b sees this');
    expect(engine.openFollowStreams()).toBe(2);

    hub.unsubscribe(idB);
    await expect.poll(() => engine.openFollowStreams(), SLOW).toBe(0);
    expect(hub.openStreams).toBe(0);
  });

  it('gives a later subscriber the tail of the shared ring, in time order across containers', async () => {
    const { engine, hub } = await setup();
    const [web, db] = [...engine.containers.values()];
    hub.subscribe({ project: 'p' }, {}, () => undefined);
    await expect.poll(() => engine.openFollowStreams(), SLOW).toBe(2);
    for (let i = 0; i < 10; i++) engine.print(i % 2 ? web!.id : db!.id, `line ${i}`);
    await expect.poll(() => hub.openStreams, SLOW).toBe(2);
    const late = collector();
    await new Promise((r) => setTimeout(r, 20));
    hub.subscribe({ project: 'p' }, { tail: 4 }, late.sink);
    await expect.poll(() => late.texts(), SLOW).toEqual(['line 6', 'line 7', 'line 8', 'line 9']);
    expect(engine.logCalls).toBe(2);
  });

  it('follows one service only when asked', async () => {
    const { engine, hub } = await setup();
    const [web, db] = [...engine.containers.values()];
    const c = collector();
    hub.subscribe({ project: 'p', service: 'db' }, {}, c.sink);
    await expect.poll(() => engine.openFollowStreams(), SLOW).toBe(1);
    engine.print(web!.id, 'web line');
    engine.print(db!.id, 'db line');
    await expect.poll(() => c.texts(), SLOW).toEqual(['db line']);
  });

  it('keeps the view when a container is recreated: the new container joins', async () => {
    const old = container({ project: 'p', service: 'web' });
    const { engine, hub } = await setup([old]);
    const c = collector();
    hub.subscribe({ project: 'p' }, {}, c.sink);
    await expect.poll(() => engine.openFollowStreams(), SLOW).toBe(1);
    engine.print(old.id, 'old container');
    engine.endLogs(old.id);
    engine.event('die', { ...old, state: 'exited', exitCode: 137 });
    engine.event('destroy', old);
    const fresh = container({ project: 'p', service: 'web', name: old.name });
    engine.event('create', fresh);
    engine.print(fresh.id, 'new container, first words');
    engine.event('start', fresh);
    await expect.poll(() => c.texts(), SLOW).toEqual(['old container', 'new container, first words']);
    engine.print(fresh.id, 'new container, live');
    await expect.poll(() => c.texts(), SLOW).toContain('new container, live');
  });

  it('reopens a stopped-then-started container after the last line seen, without repeats', async () => {
    const web = container({ project: 'p', service: 'web' });
    const { engine, hub } = await setup([web]);
    const c = collector();
    hub.subscribe({ project: 'p' }, {}, c.sink);
    await expect.poll(() => engine.openFollowStreams(), SLOW).toBe(1);
    engine.print(web.id, 'before stop');
    await expect.poll(() => c.texts(), SLOW).toEqual(['before stop']);
    engine.endLogs(web.id);
    engine.event('die', { ...web, state: 'exited' });
    engine.print(web.id, 'after restart');
    engine.event('start', { ...web, state: 'running' });
    await expect.poll(() => c.texts(), SLOW).toEqual(['before stop', 'after restart']);
  });
});

describe('LogQuery', () => {
  it('merges containers in time order and finds the newest matches before a time by growing windows', async () => {
    const web = container({ project: 'p', service: 'web', created: '2024-01-01T00:00:00Z' });
    const db = container({ project: 'p', service: 'db', created: '2024-01-01T00:00:00Z' });
    const engine = new FakeEngine([web, db]);
    // Matches far apart in time: the search must go back hours.
    const t0 = Date.UTC(2024, 0, 1, 1);
    const at = (ms: number) => new Date(ms).toISOString().replace('Z', '000000Z');
    engine.print(web.id, 'needle old', 'stdout', at(t0));
    for (let i = 0; i < 50; i++)
      engine.print(i % 2 ? web.id : db.id, `hay ${i}`, 'stdout', at(t0 + 3_600_000 + i * 1000));
    engine.print(db.id, 'needle new', 'stdout', at(t0 + 7_200_000));
    const q = new LogQuery(engine);

    const all: string[] = [];
    for await (const l of q.range([web, db], {})) all.push(l.text);
    expect(all).toHaveLength(52);
    expect(all[0]).toBe('needle old');
    expect(all.slice(1, 4)).toEqual(['hay 0', 'hay 1', 'hay 2']);

    const until = at(t0 + 7_300_000);
    const found = await q.history([web, db], { until, limit: 5, filter: compileFilter({ q: 'NEEDLE' }) });
    expect(found.lines.map((l) => l.text)).toEqual(['needle old', 'needle new']);
    expect(found.complete).toBe(true);
    const last = await q.history([web, db], { until, limit: 3 });
    expect(last.lines.map((l) => l.text)).toEqual(['hay 48', 'hay 49', 'needle new']);
    expect(last.complete).toBe(false);
  });
});
