import { z } from 'zod';

export const DockerHealth = z.object({
  reachable: z.boolean(),
  /** Engine version as the daemon reports it, null when unreachable. */
  version: z.string().nullable(),
  /** `docker compose version --short`, null when the compose v2 plugin is missing. */
  composeVersion: z.string().nullable(),
});
export type DockerHealth = z.infer<typeof DockerHealth>;

export const HealthResponse = z.object({
  ok: z.boolean(),
  docker: DockerHealth,
});
export type HealthResponse = z.infer<typeof HealthResponse>;
