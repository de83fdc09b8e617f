import type {
  ImageSummary,
  PruneImagesReply,
  PruneMode,
  RemoveImageReply,
} from '../../../common/resources.js';
import type { EngineClient } from '../engine/engine-client.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { containerRef, engineCall } from './engine-errors.js';
import { planPrune, reportAsPlan } from './prune-plan.js';

export class ImageService {
  constructor(
    private readonly engine: EngineClient,
    private readonly log: Logger,
  ) {}

  /** Top-level images (as `docker images`), each with the containers and stacks that use it. */
  async list(): Promise<ImageSummary[]> {
    const [images, containers] = await engineCall(() =>
      Promise.all([this.engine.listImages(false), this.engine.listContainers()]),
    );
    return images
      .map((i) => {
        const users = containers.filter((c) => c.imageId === i.id);
        return {
          id: i.id,
          tags: i.tags,
          digests: i.digests,
          size: i.size,
          created: new Date(i.created * 1000).toISOString(),
          dangling: i.tags.length === 0,
          containers: users.map(containerRef),
          stacks: [...new Set(users.map((c) => c.project).filter((p) => p))].sort(),
        };
      })
      .sort((a, b) => (a.tags[0] ?? '~').localeCompare(b.tags[0] ?? '~') || a.id.localeCompare(b.id));
  }

  /** Refused (409, naming the containers) while a container uses it, unless forced. */
  async remove(id: string, force: boolean): Promise<RemoveImageReply> {
    const [images, containers] = await engineCall(() =>
      Promise.all([this.engine.listImages(true), this.engine.listContainers()]),
    );
    const full = id.startsWith('sha256:') ? id : `sha256:${id}`;
    const image = images.find((i) => i.id.startsWith(full));
    if (!image) throw new AppError('NOT_FOUND', `no image "${id}"`);
    const users = containers.filter((c) => c.imageId === image.id);
    if (users.length > 0 && !force) {
      throw new AppError(
        'CONFLICT',
        `image ${image.tags[0] ?? image.id.slice(7, 19)} is used by container ${users.map((c) => c.name).join(', ')}`,
        { containers: users.map(containerRef) },
      );
    }
    const report = await engineCall(() => this.engine.removeImage(image.id, force));
    this.log.info({ image: image.id, tags: image.tags, force, ...report }, 'image removed');
    return report;
  }

  /** Dry run: the engine's own rules applied to the current images; else the engine's prune. */
  async prune(mode: PruneMode, dryRun: boolean): Promise<PruneImagesReply> {
    const [images, containers] = await engineCall(() =>
      Promise.all([this.engine.listImages(true), this.engine.listContainers()]),
    );
    const used = new Set(containers.map((c) => c.imageId));
    if (dryRun) {
      const plan = planPrune(images, used, mode);
      const deleted = plan.filter((p) => p.action === 'deleted');
      let unique = new Map<string, number>();
      if (deleted.length > 0) unique = (await engineCall(() => this.engine.diskUsage())).images;
      const images2 = plan.map((p) =>
        p.action === 'deleted' ? { ...p, size: Math.max(0, unique.get(p.id) ?? 0) } : p,
      );
      return {
        dryRun,
        mode,
        images: images2,
        spaceReclaimed: images2.reduce((n, p) => n + p.size, 0),
      };
    }
    const report = await engineCall(() => this.engine.pruneImages(mode === 'dangling'));
    const result = reportAsPlan(images, report);
    this.log.info(
      {
        mode,
        deleted: result.filter((r) => r.action === 'deleted').map((r) => r.id),
        spaceReclaimed: report.spaceReclaimed,
      },
      'images pruned',
    );
    return { dryRun, mode, images: result, spaceReclaimed: report.spaceReclaimed };
  }
}
