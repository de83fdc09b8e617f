import type { StackHealth, StackStatus, StackSummary } from '../../../common/stack';

export interface BadgeInfo {
  label: string;
  /** CSS modifier: running | partial | exited | created | down | unknown */
  tone: StackStatus;
  /** Longer text for screen readers and tooltips. */
  description: string;
}

const DESCRIPTIONS: Record<StackStatus, string> = {
  running: 'every service is up',
  partial: 'some services are up, some are not',
  exited: 'containers exist, none is up',
  created: 'containers were created but never started',
  down: 'no containers',
  unknown: 'the Docker engine (or its host) cannot be reached',
  updating: 'a rolling update of a swarm service is under way',
};

/** Maps a stack's status and health to what its badge says. Unhealthy wins over running. */
export function badgeFor(status: StackStatus, health: StackHealth = 'none'): BadgeInfo {
  const base = { label: status, tone: status, description: DESCRIPTIONS[status] };
  if (health === 'unhealthy' && status !== 'down' && status !== 'unknown') {
    return {
      ...base,
      label: `${status} · unhealthy`,
      description: `${base.description}; a container is unhealthy`,
    };
  }
  if (health === 'starting' && status === 'running') {
    return {
      ...base,
      label: 'running · starting',
      description: 'every service is up; health checks are starting',
    };
  }
  return base;
}

export const STATUS_ORDER: StackStatus[] = [
  'running',
  'updating',
  'partial',
  'exited',
  'created',
  'down',
  'unknown',
];

/** Search by name (case-insensitive substring) and an optional status filter. */
export function filterStacks(
  stacks: readonly StackSummary[],
  query: string,
  status: StackStatus | 'all' = 'all',
): StackSummary[] {
  const q = query.trim().toLowerCase();
  return stacks.filter((s) => (status === 'all' || s.status === status) && (!q || s.name.includes(q)));
}
