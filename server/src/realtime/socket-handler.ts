import type { Socket } from 'socket.io';
import type { z } from 'zod';
import type { Ack } from '../../../common/events.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * The one wrapper for inbound socket events: parse (zod) -> service -> ack. A malformed
 * payload or a failing service answers an error ack; nothing thrown reaches socket.io.
 */
export function onEvent<S extends z.ZodType, R>(
  socket: Socket,
  event: string,
  schema: S,
  handler: (payload: z.infer<S>) => Promise<R> | R,
  log: Logger,
): void {
  socket.on(event, (payload: unknown, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (a: Ack<R>) => void) : undefined;
    void (async () => {
      const parsed = schema.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? ` field "${issue.path.join('.')}"` : '';
        throw new AppError('BAD_REQUEST', `invalid ${event} payload${where}: ${issue?.message ?? 'invalid'}`);
      }
      const data = await handler(parsed.data);
      reply?.({ ok: true, data });
    })().catch((err: unknown) => {
      if (!(err instanceof AppError)) log.error({ err, event }, 'socket handler failed');
      const e = err instanceof AppError ? err : new AppError('INTERNAL', 'internal error');
      reply?.({ ok: false, error: { code: e.code, message: e.message } });
    });
  });
}
