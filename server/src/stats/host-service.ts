import type { HostInfo } from '../../../common/stats.js';
import type { StackStatus } from '../../../common/stack.js';
import type { EngineClient, ImageUse } from '../engine/engine-client.js';
import type { Logger } from '../logger.js';
import type { HostProbe } from './host-probe.js';

const IMAGE_USE_TTL_MS = 60_000;

/**
 * GET /api/host: the host from /proc and statfs, the engine's counts, stacks by status. Asks the
 * engine only when asked itself; df (slow: it sizes every layer) is kept for a minute.
 */
export class HostService {
  private root: string | null = null;
  private images: { at: number; value: ImageUse } | null = null;

  constructor(
    private readonly engine: Pick<EngineClient, 'info' | 'imageUse' | 'version'>,
    private readonly probe: HostProbe,
    private readonly stackStatuses: () => StackStatus[],
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Docker's data root once the engine has told it; its disk joins the host figures. */
  get dockerRoot(): string | null {
    return this.root;
  }

  /** Learns Docker's data root (once); never throws. */
  async learnDockerRoot(): Promise<void> {
    if (this.root !== null) return;
    try {
      this.root = (await this.engine.info()).dockerRootDir || null;
    } catch (err) {
      this.log.debug({ err }, 'engine info failed');
    }
  }

  private async imageUse(): Promise<ImageUse> {
    if (this.images && this.now() - this.images.at < IMAGE_USE_TTL_MS) return this.images.value;
    const value = await this.engine.imageUse();
    this.images = { at: this.now(), value };
    return value;
  }

  async info(): Promise<HostInfo> {
    const engine = await Promise.allSettled([this.engine.info(), this.imageUse(), this.engine.version()]);
    const [info, images, version] = engine;
    if (info.status === 'fulfilled') this.root = info.value.dockerRootDir || this.root;
    else this.log.debug({ err: info.reason }, 'engine info failed');
    const reading = await this.probe.snapshot();
    const stacks: HostInfo['stacks'] = {};
    for (const s of this.stackStatuses()) stacks[s] = (stacks[s] ?? 0) + 1;
    return {
      cpus: this.probe.cpus(),
      load: reading.load,
      memTotal: reading.memTotal,
      memUsed: reading.memUsed,
      disks: reading.disks,
      containers:
        info.status === 'fulfilled'
          ? { running: info.value.containersRunning, total: info.value.containers }
          : null,
      images: images.status === 'fulfilled' ? images.value : null,
      stacks,
      engine: {
        reachable: version.status === 'fulfilled',
        version: version.status === 'fulfilled' ? version.value.version : null,
      },
    };
  }
}
