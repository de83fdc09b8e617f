import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineState } from '../../server/src/engine/engine-state.js';
import { silentLogger } from '../../server/src/logger.js';
import { container, FakeEngine } from '../helpers/fake-engine.js';

let state: EngineState | undefined;
afterEach(() => {
  state?.stop();
  state = undefined;
  vi.useRealTimers();
});

async function started(engine: FakeEngine) {
  state = new EngineState(engine, silentLogger(), { backoffMinMs: 10, backoffMaxMs: 40 });
  const changes: string[][] = [];
  state.onChange((p) => changes.push(p));
  await state.start();
  return { state, changes };
}

describe('EngineState', () => {
  it('builds every project from one list call', async () => {
    const engine = new FakeEngine([
      container({ project: 'a' }),
      container({ project: 'a', state: 'exited', exitCode: 0 }),
      container({ project: 'b', state: 'exited', exitCode: 2 }),
    ]);
    const { state } = await started(engine);
    expect(engine.listCalls).toBe(1);
    expect(state.projects().sort()).toEqual(['a', 'b']);
    expect(state.runtimeOf('a').status).toBe('running');
    expect(state.runtimeOf('b').status).toBe('exited');
    expect(state.runtimeOf('none').status).toBe('down');
  });

  it('follows events without listing again, taking the state from a die event at once', async () => {
    const web = container({ project: 'p' });
    const engine = new FakeEngine([web]);
    const { state, changes } = await started(engine);
    // The engine may still say running right after die: the event is believed first.
    engine.event('die', { ...web }, { exitCode: '137' });
    expect(state.runtimeOf('p').status).toBe('exited');
    expect(state.runtimeOf('p').containers[0]?.exitCode).toBe(137);
    expect(changes.at(-1)).toEqual(['p']);
    engine.event('start', { ...web, state: 'running' });
    expect(state.runtimeOf('p').status).toBe('running');
    const db = container({ project: 'p', service: 'db', state: 'created', everStarted: false });
    engine.event('create', db);
    await vi.waitFor(() => expect(state.runtimeOf('p').status).toBe('partial'));
    engine.event('health_status: unhealthy', { ...web, health: 'unhealthy' });
    expect(state.runtimeOf('p').health).toBe('unhealthy');
    engine.event('destroy', db);
    engine.event('destroy', web);
    expect(state.runtimeOf('p').status).toBe('down');
    expect(state.projects()).toEqual([]);
    expect(engine.listCalls).toBe(1);
  });

  it('says unknown when the engine goes away and rebuilds when it is back', async () => {
    const web = container({ project: 'p' });
    const engine = new FakeEngine([web]);
    const { state } = await started(engine);
    engine.stop();
    expect(state.runtimeOf('p').status).toBe('unknown');
    expect(state.isReachable).toBe(false);
    // While it is away the container stopped.
    engine.containers.set(web.id, { ...web, state: 'exited', exitCode: 0 });
    engine.start();
    await vi.waitFor(() => expect(state.isReachable).toBe(true), { timeout: 2000 });
    expect(state.runtimeOf('p').status).toBe('exited');
    expect(engine.listCalls).toBe(2);
  });

  it('starts fine with no engine and keeps retrying with backoff', async () => {
    const engine = new FakeEngine([container({ project: 'late' })]);
    engine.stop();
    const { state } = await started(engine);
    expect(state.isReachable).toBe(false);
    expect(state.runtimeOf('late').status).toBe('unknown');
    engine.start();
    await vi.waitFor(() => expect(state.runtimeOf('late').status).toBe('running'), { timeout: 2000 });
  });
});
