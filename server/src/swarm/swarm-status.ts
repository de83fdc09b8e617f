import type { StackStatus } from '../../../common/stack.js';
import type { SwarmServiceInfo, SwarmTask } from '../../../common/swarm.js';
import type { EngineNode, EngineService, EngineTask } from './swarm-engine.js';

/** Update states during which a service is being rolled (forward or back). */
const ROLLING = new Set(['updating', 'rollback_started']);
/** Tasks kept per service in the detail: the current ones and a little history. */
const TASKS_SHOWN = 10;

export const isRolling = (s: EngineService): boolean => s.updateState !== null && ROLLING.has(s.updateState);

/** A service has what it wants: every desired task running and no rolling update under way. */
export const isSettled = (s: EngineService): boolean => !isRolling(s) && s.runningTasks >= s.desiredTasks;

/**
 * Status of a swarm stack, from its services (docs/api.md, "Swarm stacks"):
 * unknown (engine unreachable), down (no services), updating (a rolling update or rollback is
 * under way), running (every service has its desired tasks running; a service scaled to 0
 * counts as satisfied), exited (tasks are desired but none runs, or everything is scaled to 0),
 * partial (some run, some desired ones do not).
 */
export function swarmStatusOf(services: readonly EngineService[], reachable: boolean): StackStatus {
  if (!reachable) return 'unknown';
  if (services.length === 0) return 'down';
  if (services.some(isRolling)) return 'updating';
  const running = services.reduce((n, s) => n + s.runningTasks, 0);
  if (running === 0) return 'exited';
  return services.every(isSettled) ? 'running' : 'partial';
}

/** The short compose name of a stack's service (`<stack>_web` → `web`). */
export function shortName(stack: string, name: string): string {
  return name.startsWith(`${stack}_`) ? name.slice(stack.length + 1) : name;
}

function splitDigest(image: string): { image: string; digest: string | null } {
  const at = image.indexOf('@');
  return at < 0 ? { image, digest: null } : { image: image.slice(0, at), digest: image.slice(at + 1) };
}

/** The detail of a stack's services with their newest tasks (newest first). */
export function serviceDetails(
  stack: string,
  services: readonly EngineService[],
  tasks: readonly EngineTask[],
  nodes: readonly EngineNode[],
): SwarmServiceInfo[] {
  const hostOf = new Map(nodes.map((n) => [n.id, n.hostname]));
  return [...services]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => {
      const own = tasks
        .filter((t) => t.serviceId === s.id)
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
      const lastError = own.find((t) => t.error)?.error ?? null;
      const shown: SwarmTask[] = own.slice(0, TASKS_SHOWN).map((t) => ({
        id: t.id,
        slot: t.slot,
        nodeId: t.nodeId,
        node: t.nodeId ? (hostOf.get(t.nodeId) ?? null) : null,
        state: t.state,
        desiredState: t.desiredState,
        message: t.message,
        error: t.error,
        updatedAt: t.updatedAt,
      }));
      const { image, digest } = splitDigest(s.image);
      return {
        id: s.id,
        service: shortName(stack, s.name),
        name: s.name,
        image,
        digest,
        mode: s.mode,
        desired: s.desiredTasks,
        running: s.runningTasks,
        updateState: s.updateState,
        updateMessage: s.updateMessage,
        lastError,
        tasks: shown,
      };
    });
}
