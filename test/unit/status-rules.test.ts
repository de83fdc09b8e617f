import { describe, expect, it } from 'vitest';
import { healthOf, runtimeOf, statusOf } from '../../server/src/engine/status-rules.js';
import { container } from '../helpers/fake-engine.js';

describe('statusOf', () => {
  it('is unknown without an engine, whatever was last seen', () => {
    expect(statusOf([container()], false)).toBe('unknown');
    expect(statusOf([], false)).toBe('unknown');
  });

  it('is down with no containers', () => {
    expect(statusOf([], true)).toBe('down');
  });

  it('is created while no container was ever started', () => {
    expect(statusOf([container({ state: 'created', everStarted: false })], true)).toBe('created');
  });

  it('is running when every service is up', () => {
    expect(statusOf([container(), container()], true)).toBe('running');
  });

  it('counts a one-shot that exited 0 with restart "no" as done, not down', () => {
    const init = container({ state: 'exited', exitCode: 0, restartPolicy: 'no' });
    expect(statusOf([container(), init], true)).toBe('running');
  });

  it('is partial when a one-shot failed or a restartable service exited 0', () => {
    expect(statusOf([container(), container({ state: 'exited', exitCode: 1 })], true)).toBe('partial');
    expect(
      statusOf(
        [container(), container({ state: 'exited', exitCode: 0, restartPolicy: 'unless-stopped' })],
        true,
      ),
    ).toBe('partial');
    expect(statusOf([container(), container({ state: 'created', everStarted: false })], true)).toBe(
      'partial',
    );
    expect(statusOf([container(), container({ state: 'restarting' })], true)).toBe('partial');
  });

  it('is exited when containers exist and none is up', () => {
    expect(statusOf([container({ state: 'exited', exitCode: 137 })], true)).toBe('exited');
    expect(statusOf([container({ state: 'exited', exitCode: 0 })], true)).toBe('exited');
  });

  it('ignores `compose run` one-off containers', () => {
    expect(statusOf([container(), container({ oneOff: true, state: 'exited', exitCode: 1 })], true)).toBe(
      'running',
    );
    expect(statusOf([container({ oneOff: true })], true)).toBe('down');
  });
});

describe('healthOf', () => {
  it('reports the worst health of running containers', () => {
    expect(healthOf([container({ health: 'healthy' }), container({ health: 'unhealthy' })])).toBe(
      'unhealthy',
    );
    expect(healthOf([container({ health: 'healthy' }), container({ health: 'starting' })])).toBe('starting');
    expect(healthOf([container({ health: 'healthy' }), container()])).toBe('healthy');
    expect(healthOf([container()])).toBe('none');
    expect(healthOf([container({ health: 'unhealthy', state: 'exited' })])).toBe('none');
  });
});

describe('runtimeOf', () => {
  it('counts running services and sorts containers by service', () => {
    const rt = runtimeOf(
      [
        container({ service: 'web', name: 'p-web-2' }),
        container({ service: 'web', name: 'p-web-1' }),
        container({ service: 'db', state: 'exited', exitCode: 1 }),
      ],
      true,
    );
    expect(rt.status).toBe('partial');
    expect(rt.running).toBe(1);
    expect(rt.services).toEqual(['db', 'web']);
    expect(rt.containers.map((c) => c.name)).toEqual(['demo-db-1', 'p-web-1', 'p-web-2']);
  });
});
