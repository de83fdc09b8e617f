import type { HealthService } from '../engine/health-service.js';
import type { Handlers } from './route.js';

export function healthHandlers(health: HealthService): Handlers<'getHealth'> {
  return {
    // Versions help attackers pick exploits: strangers learn only whether Berth is up.
    getHealth: async ({ principal }) => {
      const full = await health.check();
      return principal ? full : { ok: full.ok };
    },
  };
}
