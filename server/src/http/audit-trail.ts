import type { Request, RequestHandler } from 'express';
import type { AuditService } from '../auth/audit-service.js';
import type { Logger } from '../logger.js';
import { tokenRefusalOf, type Principal } from './principal.js';
import type { AuditNote } from './route.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Records every state-changing request once it is answered (refused ones included: 401, 403,
 * CSRF), and every request refused for its token, GET too. Runs before everything else under
 * /api so nothing escapes it.
 */
export function auditTrail(
  audit: AuditService,
  principalOf: (req: Request) => Principal | null,
  log: Logger,
): RequestHandler {
  return (req, res, next) => {
    res.on('finish', () => {
      try {
        const refusal = tokenRefusalOf(req);
        if (SAFE_METHODS.has(req.method) && !refusal) return;
        const note = res.locals.audit as AuditNote | undefined;
        let principal: Principal | null = null;
        // Already resolved by the router (memoised); a cookie-only request costs one user lookup.
        if (!refusal) {
          try {
            principal = principalOf(req);
          } catch {
            principal = null;
          }
        }
        const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<
          string,
          unknown
        >;
        // A login names who tried; its password is never read here.
        const claimed = typeof body.username === 'string' ? body.username.slice(0, 64) : null;
        audit.record({
          user: principal?.username ?? refusal?.user ?? claimed,
          via:
            principal?.via ?? refusal?.via ?? (req.headers.authorization !== undefined ? 'token' : 'session'),
          operation: note?.operation ?? `${req.method} ${req.baseUrl}${req.path}`.slice(0, 200),
          target: note?.target ?? null,
          stack: note?.stack ?? null,
          host: note?.host ?? 'local',
          status: res.statusCode,
          address: req.ip ?? null,
        });
      } catch (err) {
        log.error({ err }, 'audit trail failed');
      }
    });
    next();
  };
}
