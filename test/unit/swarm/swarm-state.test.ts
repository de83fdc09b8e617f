import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../server/src/logger.js';
import { SwarmState } from '../../../server/src/swarm/swarm-state.js';
import { FakeSwarmEngine, swarmService, swarmTask } from '../../helpers/fake-swarm-engine.js';

describe('SwarmState', () => {
  let state: SwarmState | undefined;
  afterEach(() => {
    state?.stop();
    vi.useRealTimers();
  });

  const make = (engine: FakeSwarmEngine, opts = {}) => {
    state = new SwarmState(engine, silentLogger(), { backoffMinMs: 5, ...opts });
    return state;
  };

  it('builds every stack from one list and reads the status rules', async () => {
    const engine = new FakeSwarmEngine();
    const web = swarmService({ stack: 'app', name: 'app_web', runningTasks: 2, desiredTasks: 2 });
    engine.services = [
      web,
      swarmService({ stack: 'other', name: 'other_x', runningTasks: 0, desiredTasks: 1 }),
    ];
    engine.tasks = [swarmTask({ serviceId: web.id }), swarmTask({ serviceId: web.id })];
    const s = make(engine);
    await s.start();
    expect(s.stackNames().sort()).toEqual(['app', 'other']);
    expect(s.runtimeOf('app')).toMatchObject({ status: 'running', running: 1, services: ['app_web'] });
    expect(s.runtimeOf('other').status).toBe('exited');
    expect(s.runtimeOf('none').status).toBe('down');
    expect(s.services('app')[0]?.tasks).toHaveLength(2);
    expect(s.serviceId('app', 'web')).toBe(web.id);
  });

  it('a service event re-reads its stack; a new service is placed by its labels; listeners hear of it', async () => {
    const engine = new FakeSwarmEngine();
    const web = swarmService({ stack: 'app', name: 'app_web' });
    engine.services = [web];
    const s = make(engine);
    await s.start();
    const heard: string[] = [];
    s.onChange((names) => heard.push(...names));

    web.runningTasks = 1;
    web.desiredTasks = 3;
    web.updateState = 'updating';
    engine.emit({ type: 'service', action: 'update', id: web.id, attributes: { name: 'app_web' } });
    await vi.waitFor(() => expect(s.runtimeOf('app').status).toBe('updating'));
    expect(heard).toContain('app');

    const api = swarmService({ stack: 'new', name: 'new_api' });
    engine.services.push(api);
    engine.emit({ type: 'service', action: 'create', id: api.id, attributes: { name: 'new_api' } });
    await vi.waitFor(() => expect(s.stackNames()).toContain('new'));
    expect(heard).toContain('new');

    engine.services = engine.services.filter((x) => x !== api);
    engine.emit({ type: 'service', action: 'remove', id: api.id, attributes: {} });
    await vi.waitFor(() => expect(s.stackNames()).not.toContain('new'));
  });

  it('a task container event re-reads the stack named in its labels', async () => {
    const engine = new FakeSwarmEngine();
    const web = swarmService({ stack: 'app', name: 'app_web', runningTasks: 1, desiredTasks: 1 });
    engine.services = [web];
    const s = make(engine);
    await s.start();
    web.runningTasks = 0;
    engine.emit({
      type: 'container',
      action: 'die',
      id: 'c1',
      attributes: { 'com.docker.stack.namespace': 'app' },
    });
    await vi.waitFor(() => expect(s.runtimeOf('app').status).toBe('exited'));
  });

  it('re-reads an unsettled stack with a growing wait and stops once it has settled', async () => {
    vi.useFakeTimers();
    const engine = new FakeSwarmEngine();
    const bad = swarmService({ stack: 'app', name: 'app_bad', runningTasks: 0, desiredTasks: 1 });
    engine.services = [bad];
    const s = make(engine, { settleMinMs: 100, settleMaxMs: 400 });
    await s.start();
    const start = engine.reads;
    await vi.advanceTimersByTimeAsync(100);
    expect(engine.reads).toBe(start + 1);
    await vi.advanceTimersByTimeAsync(200);
    expect(engine.reads).toBe(start + 2);
    await vi.advanceTimersByTimeAsync(400);
    expect(engine.reads).toBe(start + 3);
    await vi.advanceTimersByTimeAsync(400);
    expect(engine.reads).toBe(start + 4);
    bad.runningTasks = 1;
    await vi.advanceTimersByTimeAsync(400);
    expect(s.runtimeOf('app').status).toBe('running');
    const settled = engine.reads;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(engine.reads).toBe(settled);
  });

  it('reads an unsettled stack again after a read that failed', async () => {
    vi.useFakeTimers();
    const engine = new FakeSwarmEngine();
    const web = swarmService({ stack: 'app', name: 'app_web', runningTasks: 0, desiredTasks: 1 });
    engine.services = [web];
    const s = make(engine, { settleMinMs: 100, settleMaxMs: 400 });
    await s.start();
    engine.failReads = 1;
    await vi.advanceTimersByTimeAsync(100);
    const failed = engine.reads;
    web.runningTasks = 1;
    await vi.advanceTimersByTimeAsync(400);
    expect(engine.reads).toBeGreaterThan(failed);
    expect(s.runtimeOf('app').status).toBe('running');
  });

  it('an engine not in a swarm: says so, reads no services', async () => {
    const engine = new FakeSwarmEngine();
    engine.member = { state: 'inactive', manager: false, nodeId: null };
    engine.services = [swarmService({ stack: 'app', name: 'app_web' })];
    const s = make(engine);
    await s.start();
    const info = await s.info();
    expect(info).toMatchObject({ active: false, manager: false, nodes: [] });
    expect(info.message).toContain('swarm init');
    expect(s.stackNames()).toEqual([]);
    expect(engine.reads).toBe(0);
  });

  it('a worker node is active but cannot manage', async () => {
    const engine = new FakeSwarmEngine();
    engine.member = { state: 'active', manager: false, nodeId: 'n2' };
    const s = make(engine);
    await s.start();
    expect(await s.info()).toMatchObject({ active: true, manager: false, nodes: [] });
  });

  it('a broken event stream reads unknown, then reconnects and rebuilds', async () => {
    const engine = new FakeSwarmEngine();
    engine.services = [swarmService({ stack: 'app', name: 'app_web' })];
    const s = make(engine);
    await s.start();
    engine.cut();
    expect(s.runtimeOf('app').status).toBe('unknown');
    await vi.waitFor(() => expect(s.runtimeOf('app').status).toBe('running'));
  });
});

describe('SwarmState notifications', () => {
  it('a re-read that finds nothing new notifies no one', async () => {
    const engine = new FakeSwarmEngine();
    const web = swarmService({ stack: 'app', name: 'app_web' });
    engine.services = [web];
    const s = new SwarmState(engine, silentLogger());
    await s.start();
    const heard: string[] = [];
    s.onChange((names) => heard.push(...names));
    await s.refresh('app');
    expect(heard).toEqual([]);
    web.runningTasks = 0;
    await s.refresh('app');
    expect(heard).toEqual(['app']);
    s.stop();
  });
});
