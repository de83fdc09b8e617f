import type { ContainerInfo, StackHealth, StackStatus } from '../../../common/stack.js';
import type { StackRuntime } from '../stacks/stack-service.js';
import type { EngineContainer } from './engine-client.js';

/** A one-shot container that finished its work: exited 0 and never restarted by the engine. */
export function isDone(c: EngineContainer): boolean {
  return c.state === 'exited' && c.exitCode === 0 && c.restartPolicy === 'no';
}

const isUp = (c: EngineContainer) => c.state === 'running';

/**
 * DESIGN.md's status rules for one compose project:
 * down (no containers), created (none ever started), running (every service up, finished
 * one-shots count as done), partial (some up, some not), exited (none up), unknown (no engine).
 */
export function statusOf(containers: readonly EngineContainer[], reachable: boolean): StackStatus {
  if (!reachable) return 'unknown';
  // `docker compose run` containers are not part of the stack's services.
  const own = containers.filter((c) => !c.oneOff);
  if (own.length === 0) return 'down';
  if (own.every((c) => c.state === 'created' && !c.everStarted)) return 'created';
  const up = own.filter(isUp).length;
  const pending = own.filter((c) => !isUp(c) && !isDone(c)).length;
  if (up === 0) return 'exited';
  return pending === 0 ? 'running' : 'partial';
}

export function healthOf(containers: readonly EngineContainer[]): StackHealth {
  const h = new Set(containers.filter(isUp).map((c) => c.health));
  if (h.has('unhealthy')) return 'unhealthy';
  if (h.has('starting')) return 'starting';
  if (h.has('healthy')) return 'healthy';
  return 'none';
}

export function toContainerInfo(c: EngineContainer): ContainerInfo {
  return {
    id: c.id,
    name: c.name,
    service: c.service,
    state: c.state,
    health: c.health,
    exitCode: c.exitCode,
    image: c.image,
    ports: c.ports,
  };
}

export function runtimeOf(containers: readonly EngineContainer[], reachable: boolean): StackRuntime {
  const own = containers.filter((c) => !c.oneOff);
  const services = [...new Set(own.map((c) => c.service))].sort();
  const runningServices = new Set(own.filter(isUp).map((c) => c.service));
  return {
    status: statusOf(containers, reachable),
    health: reachable ? healthOf(own) : 'none',
    running: reachable ? runningServices.size : 0,
    services,
    containers: [...containers]
      .sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name))
      .map(toContainerInfo),
  };
}
