import { describe, expect, it } from 'vitest';
import type { StackSummary } from '../../../common/stack.js';
import { badgeFor, filterStacks } from '../../../frontend/src/lib/status.js';
import { stackNameProblem } from '../../../frontend/src/lib/stack-name.js';

const stack = (name: string, status: StackSummary['status']): StackSummary => ({
  host: 'local',
  name,
  managed: true,
  composeFile: 'compose.yaml',
  projectName: name,
  conflicts: [],
  status,
  health: 'none',
  services: { total: 1, running: 0 },
  updatedAt: null,
  updates: 0,
  target: 'compose',
});

describe('badgeFor', () => {
  it.each([
    ['running', 'none', 'running', 'running'],
    ['partial', 'none', 'partial', 'partial'],
    ['exited', 'none', 'exited', 'exited'],
    ['created', 'none', 'created', 'created'],
    ['down', 'none', 'down', 'down'],
    ['unknown', 'none', 'unknown', 'unknown'],
    ['running', 'unhealthy', 'running · unhealthy', 'running'],
    ['partial', 'unhealthy', 'partial · unhealthy', 'partial'],
    ['running', 'starting', 'running · starting', 'running'],
    ['running', 'healthy', 'running', 'running'],
    ['down', 'unhealthy', 'down', 'down'],
  ] as const)('%s + %s → "%s"', (status, health, label, tone) => {
    const b = badgeFor(status, health);
    expect(b.label).toBe(label);
    expect(b.tone).toBe(tone);
    expect(b.description.length).toBeGreaterThan(5);
  });
});

describe('filterStacks', () => {
  const list = [stack('web', 'running'), stack('db', 'exited'), stack('webhooks', 'down')];
  it('searches by name and filters by status', () => {
    expect(filterStacks(list, 'web').map((s) => s.name)).toEqual(['web', 'webhooks']);
    expect(filterStacks(list, ' WEB ', 'down').map((s) => s.name)).toEqual(['webhooks']);
    expect(filterStacks(list, '', 'exited').map((s) => s.name)).toEqual(['db']);
    expect(filterStacks(list, '')).toHaveLength(3);
  });
});

describe('stackNameProblem', () => {
  it('accepts what the server accepts', () => {
    expect(stackNameProblem('web')).toBeNull();
    expect(stackNameProblem('a1_b-2')).toBeNull();
    expect(stackNameProblem('a'.repeat(64))).toBeNull();
  });
  it.each([
    ['', /name/],
    ['Web', /lower-case/],
    ['-web', /Start with/],
    ['_web', /Start with/],
    ['we b', /Only lower-case/],
    ['../etc', /Only lower-case/],
    ['a'.repeat(65), /64/],
  ])('refuses %j', (name, message) => {
    expect(stackNameProblem(name)).toMatch(message);
  });
  it('refuses an existing name', () => {
    expect(stackNameProblem('web', ['web'])).toMatch(/already exists/);
  });
});
