import type { ErrorCode } from '../../common/errors.js';

const statusOf: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CSRF: 403,
  NOT_FOUND: 404,
  STACK_NOT_FOUND: 404,
  STACK_EXISTS: 409,
  CONFLICT: 409,
  STACK_BUSY: 409,
  PAYLOAD_TOO_LARGE: 413,
  INVALID_COMPOSE: 422,
  THROTTLED: 429,
  ENGINE_UNAVAILABLE: 503,
  COMPOSE_UNAVAILABLE: 503,
  HOST_NOT_FOUND: 404,
  HOST_OFFLINE: 503,
  HOST_TIMEOUT: 504,
  INTERNAL: 500,
};

/**
 * An expected failure with a code from the contract. Domain modules throw it; the transport
 * layer turns it into an HTTP status or a socket ack. Anything else is reported as INTERNAL.
 */
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get status(): number {
    return statusOf[this.code];
  }
}
