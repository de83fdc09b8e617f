import { describe, expect, it } from 'vitest';
import { serviceDetails, shortName, swarmStatusOf } from '../../../server/src/swarm/swarm-status.js';
import { swarmService, swarmTask } from '../../helpers/fake-swarm-engine.js';

const svc = (running: number, desired: number, updateState: string | null = null) =>
  swarmService({ stack: 's', name: 's_web', runningTasks: running, desiredTasks: desired, updateState });

describe('swarm status rules', () => {
  it('unknown without the engine, down without services', () => {
    expect(swarmStatusOf([svc(1, 1)], false)).toBe('unknown');
    expect(swarmStatusOf([], true)).toBe('down');
  });
  it('running when every service has its desired tasks running (0 of 0 counts)', () => {
    expect(swarmStatusOf([svc(2, 2), svc(3, 3)], true)).toBe('running');
    expect(swarmStatusOf([svc(2, 2), svc(0, 0)], true)).toBe('running');
  });
  it('partial when some desired tasks do not run; exited when none runs', () => {
    expect(swarmStatusOf([svc(2, 3)], true)).toBe('partial');
    expect(swarmStatusOf([svc(1, 1), svc(0, 1)], true)).toBe('partial');
    expect(swarmStatusOf([svc(0, 1)], true)).toBe('exited');
    expect(swarmStatusOf([svc(0, 0)], true)).toBe('exited');
  });
  it('updating during a rolling update or rollback, not after it', () => {
    expect(swarmStatusOf([svc(2, 2, 'updating'), svc(1, 1)], true)).toBe('updating');
    expect(swarmStatusOf([svc(2, 2, 'rollback_started')], true)).toBe('updating');
    expect(swarmStatusOf([svc(2, 2, 'completed')], true)).toBe('running');
    expect(swarmStatusOf([svc(1, 2, 'paused')], true)).toBe('partial');
  });
});

describe('service details', () => {
  it('short names, digest split off, tasks newest first with node names, the last error', () => {
    expect(shortName('app', 'app_web')).toBe('web');
    expect(shortName('app', 'other')).toBe('other');
    const s = swarmService({
      stack: 'app',
      name: 'app_web',
      image: 'reg/img:1@sha256:abc',
      runningTasks: 1,
      desiredTasks: 2,
    });
    const old = swarmTask({
      serviceId: s.id,
      state: 'rejected',
      error: 'No such image: x',
      updatedAt: '2026-01-01T00:00:01Z',
    });
    const newer = swarmTask({ serviceId: s.id, state: 'running', updatedAt: '2026-01-01T00:00:05Z' });
    const other = swarmTask({ serviceId: 'elsewhere' });
    const [d] = serviceDetails(
      'app',
      [s],
      [old, newer, other],
      [
        {
          id: 'node1',
          hostname: 'alpha',
          role: 'manager',
          availability: 'active',
          state: 'ready',
          address: null,
          engineVersion: null,
          leader: true,
          labels: {},
        },
      ],
    );
    expect(d).toMatchObject({
      service: 'web',
      image: 'reg/img:1',
      digest: 'sha256:abc',
      running: 1,
      desired: 2,
      lastError: 'No such image: x',
    });
    expect(d?.tasks.map((t) => t.id)).toEqual([newer.id, old.id]);
    expect(d?.tasks[0]?.node).toBe('alpha');
  });
});
