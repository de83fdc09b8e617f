import type { HealthResponse } from '../../../common/api.js';
import type { ComposeCli } from '../compose/compose-cli.js';
import type { Logger } from '../logger.js';
import type { EngineClient } from './engine-client.js';

/** Reports whether the Docker engine and the compose plugin are usable. Never throws. */
export class HealthService {
  private lastReachable: boolean | undefined;

  constructor(
    private readonly engine: EngineClient,
    private readonly compose: ComposeCli,
    private readonly log: Logger,
  ) {}

  async check(): Promise<HealthResponse> {
    const [engine, composeVersion] = await Promise.all([
      this.engine.version().then(
        (v) => ({ reachable: true, version: v.version, error: undefined }),
        (err: unknown) => ({ reachable: false, version: null, error: String(err) }),
      ),
      this.compose.version(),
    ]);
    if (engine.reachable !== this.lastReachable) {
      // Log transitions only: health is polled and an unreachable engine would flood the log.
      if (engine.reachable) this.log.info({ version: engine.version }, 'docker engine reachable');
      else this.log.warn({ err: engine.error }, 'docker engine unreachable');
      this.lastReachable = engine.reachable;
    }
    return {
      ok: true,
      docker: { reachable: engine.reachable, version: engine.version, composeVersion },
    };
  }
}
