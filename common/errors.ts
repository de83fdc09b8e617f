import { z } from 'zod';

/** Every error code the API can answer with; the HTTP status is derived from it on the server. */
export const errorCodes = [
  'BAD_REQUEST',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CSRF',
  'NOT_FOUND',
  'STACK_NOT_FOUND',
  'STACK_EXISTS',
  'CONFLICT',
  'STACK_BUSY',
  'PAYLOAD_TOO_LARGE',
  'INVALID_COMPOSE',
  'THROTTLED',
  'ENGINE_UNAVAILABLE',
  'COMPOSE_UNAVAILABLE',
  'HOST_NOT_FOUND',
  'HOST_OFFLINE',
  'HOST_TIMEOUT',
  'INTERNAL',
] as const;
export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiError = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;
