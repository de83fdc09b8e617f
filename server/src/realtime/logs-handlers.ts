import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { LogService } from '../logs/log-service.js';
import type { BerthSocket } from './realtime-server.js';
import { onEvent } from './socket-handler.js';

/** Packets waiting in a socket's buffer past which batches wait in the hub (bounded there). */
const MAX_BUFFERED_PACKETS = 8;

/**
 * logs:subscribe / logs:unsubscribe / logs:history (permission: read). Lines go to the
 * subscribing socket only; the engine stream behind them is shared by the hub.
 */
export function logsHandlers(logs: LogService, log: Logger) {
  return (socket: BerthSocket): void => {
    const mine = new Set<string>();
    onEvent(
      socket,
      'logs:subscribe',
      (payload) => {
        let id = '';
        const sub = logs.subscribe(payload, (lines, dropped) => {
          // A congested socket makes the hub hold the batch (a bounded queue, oldest dropped and
          // counted) rather than grow socket.io's buffer without limit.
          const buffered = (socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0;
          if (buffered > MAX_BUFFERED_PACKETS) return false;
          socket.emit('logs:lines', dropped > 0 ? { id, lines, dropped } : { id, lines });
          return true;
        });
        id = sub.id;
        mine.add(id);
        return sub;
      },
      log,
    );
    onEvent(
      socket,
      'logs:unsubscribe',
      ({ id }) => {
        if (!mine.delete(id)) throw new AppError('NOT_FOUND', `no log subscription "${id}"`);
        logs.unsubscribe(id);
        return null;
      },
      log,
    );
    onEvent(socket, 'logs:history', (payload) => logs.history(payload), log);
    socket.on('disconnect', () => {
      for (const id of mine) logs.unsubscribe(id);
      mine.clear();
    });
  };
}
