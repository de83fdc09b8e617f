import type { ContainerAction, ContainerActionReply, ContainerDetail } from '../../../common/resources.js';
import type { EngineClient } from '../engine/engine-client.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { engineCall } from './engine-errors.js';

/** One container: inspect and lifecycle, whatever stack (or none) it belongs to. */
export class ContainerService {
  constructor(
    private readonly engine: EngineClient,
    private readonly log: Logger,
  ) {}

  /** Environment values only for callers who may read secrets (names are always shown). */
  async inspect(id: string, canReadSecrets: boolean): Promise<ContainerDetail> {
    const detail = await engineCall(() => this.engine.containerDetail(id));
    if (!detail) throw new AppError('NOT_FOUND', `no container "${id}"`);
    if (canReadSecrets) return detail;
    return { ...detail, env: detail.env.map((e) => ({ name: e.name, value: null })), envMasked: true };
  }

  async action(id: string, action: ContainerAction, force: boolean): Promise<ContainerActionReply> {
    const before = await engineCall(() => this.engine.containerDetail(id));
    if (!before) throw new AppError('NOT_FOUND', `no container "${id}"`);
    if (action === 'remove' && before.state === 'running' && !force) {
      throw new AppError(
        'CONFLICT',
        `container ${before.name} is running: stop it first or remove with force`,
      );
    }
    if (action === 'kill' && before.state !== 'running') {
      throw new AppError('CONFLICT', `container ${before.name} is not running`);
    }
    await engineCall(() => this.engine.containerAction(before.id, action, force));
    this.log.info({ container: before.name, id: before.id, action, force }, 'container action');
    if (action === 'remove') return { id: before.id, action, state: 'removed' };
    const after = await engineCall(() => this.engine.containerDetail(before.id));
    return { id: before.id, action, state: after?.state ?? 'removed' };
  }
}
