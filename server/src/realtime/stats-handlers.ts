import type { StatsSubscribeReply } from '../../../common/stats.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { StatsSampler, StatsSubscription } from '../stats/stats-sampler.js';
import type { BerthSocket } from './realtime-server.js';
import { onEvent } from './socket-handler.js';

/** More would only be a client bug (or abuse): a page watches one stack and the host. */
const MAX_PER_SOCKET = 8;

/**
 * stats:subscribe / stats:unsubscribe: each subscription's samples go to its own socket only
 * (`stats:sample {id, ...}`); a socket's subscriptions end with it.
 */
export function statsHandlers(
  sampler: StatsSampler,
  stackExists: (name: string) => boolean,
  log: Logger,
  /** A stack's compose project, which the sampler's containers are grouped by (`My.App` -> `myapp`). */
  projectOf: (name: string) => string = (name) => name,
) {
  return (socket: BerthSocket): void => {
    const mine = new Map<string, StatsSubscription>();
    onEvent(
      socket,
      'stats:subscribe',
      (target): StatsSubscribeReply => {
        if ('stack' in target && !stackExists(target.stack)) {
          throw new AppError('STACK_NOT_FOUND', `no stack named "${target.stack}"`);
        }
        if (mine.size >= MAX_PER_SOCKET) throw new AppError('CONFLICT', 'too many stats subscriptions');
        const sub = sampler.subscribe(
          'stack' in target ? { stack: projectOf(target.stack) } : target,
          (sample) => socket.emit('stats:sample', { id: sub.id, ...sample }),
        );
        mine.set(sub.id, sub);
        const { close: _close, ...reply } = sub;
        return reply;
      },
      log,
    );
    onEvent(
      socket,
      'stats:unsubscribe',
      ({ id }) => {
        mine.get(id)?.close();
        mine.delete(id);
        return null;
      },
      log,
    );
    socket.on('disconnect', () => {
      for (const sub of mine.values()) sub.close();
      mine.clear();
    });
  };
}
