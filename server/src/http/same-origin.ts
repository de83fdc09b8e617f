import type { IncomingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from '../errors.js';

/** Express's compiled `trust proxy`: whether the peer at `addr` may set X-Forwarded-*. */
export type TrustFn = (addr: string, hop: number) => boolean;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function first(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.split(',')[0]?.trim() || undefined;
}

/** The host Berth is served on: X-Forwarded-Host only from a trusted proxy, else Host. */
export function servedHost(
  headers: IncomingHttpHeaders,
  peer: string | undefined,
  trust: TrustFn,
): string | undefined {
  const forwarded = first(headers['x-forwarded-host']);
  if (forwarded && peer !== undefined && trust(peer, 0)) return forwarded.toLowerCase();
  return headers.host?.toLowerCase();
}

/**
 * Whether a browser request comes from Berth's own pages: its Origin (or, without one, its
 * Referer) names the host Berth is served on. A request with neither is refused: browsers send
 * Origin on every state-changing request, and scripts use API tokens instead of cookies.
 */
export function fromOwnOrigin(
  headers: IncomingHttpHeaders,
  peer: string | undefined,
  trust: TrustFn,
): boolean {
  const claimed = first(headers.origin) ?? headers.referer;
  if (!claimed || claimed === 'null') return false;
  let host: string;
  try {
    host = new URL(claimed).host.toLowerCase();
  } catch {
    return false;
  }
  return host !== '' && host === servedHost(headers, peer, trust);
}

function bodyIsJson(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type'];
  const hasBody = Number(headers['content-length'] ?? 0) > 0 || headers['transfer-encoding'] !== undefined;
  if (type === undefined) return !hasBody;
  return /^application\/json\s*(;|$)/i.test(type);
}

/**
 * Cross-site request forgery guard: every state-changing request that would be authenticated by
 * the session cookie must come from Berth's own origin and carry JSON (a form cannot send JSON
 * cross-origin without a preflight Berth never grants). Requests with an Authorization header are
 * not cookie-based: they are judged by the header alone (see principal.ts). Runs before anything.
 */
export function csrfGuard(trust: () => TrustFn): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || req.headers.authorization !== undefined) return next();
    if (!fromOwnOrigin(req.headers, req.socket.remoteAddress, trust())) {
      return next(new AppError('CSRF', 'cross-origin request refused: Origin does not match this Berth'));
    }
    if (!bodyIsJson(req.headers)) {
      return next(new AppError('CSRF', 'a request body must be application/json'));
    }
    next();
  };
}
