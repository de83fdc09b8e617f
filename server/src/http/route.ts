import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import type { ApiError } from '../../../common/errors.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

interface RouteSpec<P extends z.ZodType, B extends z.ZodType, Q extends z.ZodType> {
  params?: P;
  body?: B;
  query?: Q;
  /** HTTP status of a successful reply; 200 unless given. */
  status?: number;
}

interface RouteInput<P, B, Q> {
  params: P;
  body: B;
  query: Q;
  req: Request;
  res: Response;
}

/** Turns zod issues into one readable sentence plus structured details. */
export function describeIssues(error: z.ZodError, where: string): AppError {
  const issues = error.issues.map((i) => ({
    path: i.path.join('.'),
    message: i.message,
  }));
  const first = issues[0];
  const message = first
    ? `invalid ${where}${first.path ? ` field "${first.path}"` : ''}: ${first.message}`
    : `invalid ${where}`;
  return new AppError('BAD_REQUEST', message, { issues });
}

function parsePart<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (!schema) return undefined as z.infer<T>;
  const r = schema.safeParse(value);
  if (!r.success) throw describeIssues(r.error, where);
  return r.data;
}

/**
 * The one wrapper for HTTP handlers: parse (zod) -> service -> JSON reply. Errors are passed to
 * the error middleware, which answers in the contract's shape.
 */
export function route<
  P extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
>(
  spec: RouteSpec<P, B, Q>,
  handler: (input: RouteInput<z.infer<P>, z.infer<B>, z.infer<Q>>) => Promise<unknown>,
): RequestHandler {
  return (req, res, next) => {
    void (async () => {
      const params = parsePart(spec.params, req.params, 'path parameter');
      const body = parsePart(spec.body, req.body, 'request body');
      const query = parsePart(spec.query, req.query, 'query');
      const result = await handler({ params, body, query, req, res });
      if (!res.headersSent) res.status(spec.status ?? 200).json(result);
    })().catch(next);
  };
}

export function sendError(res: Response, err: AppError): void {
  const body: ApiError = { error: { code: err.code, message: err.message } };
  if (err.details !== undefined) body.error.details = err.details;
  const retry = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (err.code === 'THROTTLED' && typeof retry === 'number') res.setHeader('Retry-After', String(retry));
  res.status(err.status).json(body);
}

/** Maps any error to the contract's JSON shape; never leaks a stack trace. */
export function errorMiddleware(log: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof AppError) {
      sendError(res, err);
      return;
    }
    if (err instanceof z.ZodError) {
      sendError(res, describeIssues(err, 'input'));
      return;
    }
    // body-parser's errors carry `type` and `status`.
    const e = err as { type?: string; status?: number; message?: string };
    if (e.type === 'entity.too.large') {
      sendError(res, new AppError('PAYLOAD_TOO_LARGE', 'request body is too large'));
      return;
    }
    if (e.type === 'entity.parse.failed') {
      sendError(res, new AppError('BAD_REQUEST', 'request body is not valid JSON'));
      return;
    }
    if (e.status === 404) {
      sendError(res, new AppError('NOT_FOUND', 'not found'));
      return;
    }
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
      sendError(res, new AppError('BAD_REQUEST', e.message ?? 'bad request'));
      return;
    }
    log.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    sendError(res, new AppError('INTERNAL', 'internal error'));
  };
}
