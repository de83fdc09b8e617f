import type { Socket } from 'socket.io';
import { CLIENT_EVENTS, type Ack, type AckDataOf, type ClientEventName } from '../../../common/events.js';
import { LOCAL_HOST } from '../../../common/host-ref.js';
import { AppError } from '../errors.js';
import { authorize, mayUseStack, type Principal } from '../http/principal.js';
import type { Logger } from '../logger.js';
import type { z } from 'zod';

type PayloadOut<E extends ClientEventName> = z.output<(typeof CLIENT_EVENTS)[E]['payload']>;

/** What every socket carries from its handshake. */
export interface SocketData {
  principal: Principal;
  /** Records a socket action in the audit log (set by the realtime server). */
  audit?: (operation: string, target: string | null, status: number, host?: string) => void;
  /**
   * Hub: does a client event on another host through its agent (after this side's access and
   * scope checks) and answers with the agent's ack.
   */
  relay?: (host: string, event: string, payload: unknown) => Promise<Ack<unknown>>;
}

/** Keystrokes and resizes are not worth an audit entry each; everything else that is no read is. */
const UNAUDITED: ReadonlySet<string> = new Set(['terminal:input', 'terminal:resize']);
const audited = (event: ClientEventName): boolean =>
  !UNAUDITED.has(event) && !['public', 'user', 'read'].includes(CLIENT_EVENTS[event].access);

/** What an event acts on, for the audit log: its stack, else its terminal. */
function targetOf(payload: unknown): string | null {
  const p = (typeof payload === 'object' && payload !== null ? payload : {}) as Record<string, unknown>;
  const v = p.stack ?? p.id;
  return typeof v === 'string' ? v.slice(0, 200) : null;
}

/**
 * The one wrapper for inbound socket events: access (from the events table) -> parse (zod) ->
 * service -> ack. A refused, malformed or failing event answers an error ack; nothing thrown
 * reaches socket.io.
 */
export function onEvent<E extends ClientEventName>(
  socket: Socket,
  event: E,
  handler: (payload: PayloadOut<E>, principal: Principal) => Promise<AckDataOf<E>> | AckDataOf<E>,
  log: Logger,
): void {
  const def = CLIENT_EVENTS[event];
  socket.on(event as string, (payload: unknown, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (a: Ack<AckDataOf<E>>) => void) : undefined;
    const data = socket.data as Partial<SocketData>;
    let host: string = LOCAL_HOST;
    void (async () => {
      const principal = data.principal ?? null;
      authorize(def.access, principal, event);
      const parsed = def.payload.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? ` field "${issue.path.join('.')}"` : '';
        throw new AppError('BAD_REQUEST', `invalid ${event} payload${where}: ${issue?.message ?? 'invalid'}`);
      }
      // A payload naming a stack outside the principal's scope: that stack does not exist for them.
      const stack = (parsed.data as { stack?: unknown }).stack;
      if (typeof stack === 'string' && !mayUseStack(principal, stack)) {
        throw new AppError('STACK_NOT_FOUND', `no stack "${stack}"`);
      }
      // Another host: its agent does it (access and scope were checked here, as for local).
      const named = (parsed.data as { host?: unknown }).host;
      if (typeof named === 'string' && named !== LOCAL_HOST) {
        host = named;
        if (principal?.scope || !data.relay) throw new AppError('HOST_NOT_FOUND', `no host "${named}"`);
        const { host: _host, ...rest } = payload as Record<string, unknown>;
        const answer = await data.relay(named, event, rest);
        if (!answer.ok) throw new AppError(answer.error.code, answer.error.message);
        if (audited(event)) data.audit?.(event, targetOf(payload), 200, host);
        reply?.(answer as Ack<AckDataOf<E>>);
        return;
      }
      const result = await handler(parsed.data as PayloadOut<E>, principal as Principal);
      if (audited(event)) data.audit?.(event, targetOf(payload), 200, host);
      reply?.({ ok: true, data: result });
    })().catch((err: unknown) => {
      if (!(err instanceof AppError)) log.error({ err, event }, 'socket handler failed');
      const e = err instanceof AppError ? err : new AppError('INTERNAL', 'internal error');
      if (audited(event)) data.audit?.(event, targetOf(payload), e.status, host);
      reply?.({ ok: false, error: { code: e.code, message: e.message } });
    });
  });
}
