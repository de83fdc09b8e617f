import { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { ApiError } from '../../../common/errors.js';
import {
  OPERATIONS,
  type FileReply,
  type OperationSchemas,
  type ParsedBody,
  type ParsedParams,
  type ParsedQuery,
  type ReplyOf,
} from '../../../common/operations.js';
import { ROUTES, type OperationId, type RouteDef } from '../../../common/routes.js';
import { NewStackName, StackName } from '../../../common/stack.js';
import { HostId, LOCAL_HOST } from '../../../common/hosts.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { authorize, authorizeScope, type Principal } from './principal.js';

export interface HandlerInput<K extends OperationId> {
  params: ParsedParams<K>;
  body: ParsedBody<K>;
  query: ParsedQuery<K>;
  /** Who asks; null only for `public` operations called without a session. */
  principal: Principal | null;
  req: Request;
  res: Response;
}

type Result<K extends OperationId> = (typeof OPERATIONS)[K]['reply'] extends FileReply ? void : ReplyOf<K>;
export type Handler<K extends OperationId> = (input: HandlerInput<K>) => Promise<Result<K>> | Result<K>;
/** Handlers of some operations; app.ts joins them, and the compiler wants every id once. */
export type Handlers<K extends OperationId = OperationId> = { [P in K]: Handler<P> };

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

/** What the audit trail learns of a request that reached an operation (see audit-trail.ts). */
export interface AuditNote {
  operation: string;
  target: string | null;
  stack: string | null;
  /** The host a hosted operation acted on (`local` unless called as `/api/hosts/:host/...`). */
  host: string;
}

/** The fields of an operation's input that name a stack: those whose schema is StackName (or NewStackName). */
function stackFields(spec: OperationSchemas): Array<['params' | 'query' | 'body', string]> {
  const out: Array<['params' | 'query' | 'body', string]> = [];
  for (const [k, v] of Object.entries(spec.params ?? {})) if (v === StackName) out.push(['params', k]);
  for (const [k, v] of Object.entries(spec.query?.shape ?? {})) if (v === StackName) out.push(['query', k]);
  const body = spec.body instanceof z.ZodObject ? (spec.body.shape as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(body)) if (v === StackName || v === NewStackName) out.push(['body', k]);
  return out;
}

const TARGET_KEYS = ['name', 'username', 'id', 'stack'] as const;

/** The operation and what it acts on, from the raw request (before parsing: refusals too). */
function auditNote(
  id: OperationId,
  req: Request,
  fields: Array<['params' | 'query' | 'body', string]>,
): AuditNote {
  const params = req.params as Record<string, string | undefined>;
  const body = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v.slice(0, 200) : null);
  let target: string | null = null;
  for (const k of TARGET_KEYS) target ??= str(params[k]) ?? str(body[k]);
  const [where, key] = fields[0] ?? [];
  const source =
    where === 'params' ? params : where === 'query' ? (req.query as Record<string, unknown>) : body;
  return {
    operation: params.action ? `${id}:${str(params.action) ?? ''}` : id,
    target,
    stack: key ? str(source[key]) : null,
    host: str(params.host) ?? LOCAL_HOST,
  };
}

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const r = schema.safeParse(value);
  if (!r.success) throw describeIssues(r.error, where);
  return r.data;
}

/** A hosted operation for another host, checked and parsed here, to be done by its agent. */
export interface RemoteCall {
  host: string;
  principal: Principal;
  method: string;
  /** The agent's own address of it: `/api/...` with the query string. */
  url: string;
  /** The request body as received (already validated). */
  body: unknown;
  /** Request headers that matter to the operation (if-match). */
  headers: Record<string, string>;
}

export interface RemoteReply {
  status: number;
  /** content-type, content-disposition, etag... */
  headers: Record<string, string>;
  body: Buffer;
}

export interface OperationRouterOptions {
  principal: (req: Request) => Principal | null;
  log: Logger;
  /** Parse every reply with its schema (tests): a reply that drifts from the contract is a 500. */
  checkReplies?: boolean;
  /** Does a hosted operation on another host (the hub's tunnel); absent: only `local` exists. */
  remote?: (call: RemoteCall) => Promise<RemoteReply>;
}

const FORWARDED_HEADERS = ['if-match', 'if-none-match', 'accept'] as const;

/**
 * The one wrapper for HTTP handlers, and the only way a route is registered: for every operation
 * of the table, access -> parse (zod) -> handler -> reply (JSON, or the handler's own download).
 */
export function operationRouter(handlers: Handlers, opts: OperationRouterOptions): Router {
  const router = Router();
  for (const id of Object.keys(ROUTES) as OperationId[]) {
    const def: RouteDef = ROUTES[id];
    const spec: OperationSchemas = OPERATIONS[id];
    const handler = handlers[id] as (input: HandlerInput<OperationId>) => Promise<unknown> | unknown;
    const params = spec.params ? z.object(spec.params) : undefined;
    const reply = 'file' in spec.reply ? null : spec.reply;
    const fields = stackFields(spec);
    const what = `${def.method.toUpperCase()} ${def.path}`;
    const run: RequestHandler = (req, res, next) => {
      void (async () => {
        res.locals.audit = auditNote(id, req, fields) satisfies AuditNote;
        const principal = opts.principal(req);
        authorize(def.access, principal, what);
        // `/api/hosts/:host/...`: another host is only for principals not limited to some stacks.
        const host = (req.params as { host?: string }).host ?? LOCAL_HOST;
        if (host !== LOCAL_HOST && (!HostId.safeParse(host).success || principal?.scope || !opts.remote)) {
          throw new AppError('HOST_NOT_FOUND', `no host "${host.slice(0, 64)}"`);
        }
        // A scoped principal on a global change is refused before anything is parsed.
        authorizeScope(def.access, principal, [], what, fields.length > 0);
        const input: Record<'params' | 'query' | 'body', Record<string, unknown>> = {
          params: parsePart(params, req.params, 'path parameter') as Record<string, unknown>,
          query: parsePart(spec.query, req.query, 'query') as Record<string, unknown>,
          body: {},
        };
        const named = (parts: string[]) =>
          fields
            .filter(([where]) => parts.includes(where))
            .map(([where, key]) => input[where as 'params'][key])
            .filter((v): v is string => typeof v === 'string');
        // The address decides first: a stack out of scope is a 404 whatever the body says.
        authorizeScope(def.access, principal, named(['params', 'query']), what, fields.length > 0);
        input.body = parsePart(spec.body, req.body, 'request body') as Record<string, unknown>;
        authorizeScope(def.access, principal, named(['body']), what, fields.length > 0);
        if (host !== LOCAL_HOST && opts.remote && principal) {
          const headers: Record<string, string> = {};
          for (const h of FORWARDED_HEADERS) {
            const v = req.headers[h];
            if (typeof v === 'string') headers[h] = v;
          }
          const r = await opts.remote({
            host,
            principal,
            method: req.method,
            url: req.originalUrl.replace(/^\/api\/hosts\/[^/?]+/, '/api'),
            body: req.body as unknown,
            headers,
          });
          res.status(r.status);
          for (const [k, v] of Object.entries(r.headers)) res.setHeader(k, v);
          res.end(r.body);
          return;
        }
        const result = await handler({
          params: input.params as never,
          query: input.query as never,
          body: input.body as never,
          principal,
          req,
          res,
        });
        if (res.headersSent) return;
        // A download's handler writes the reply itself; one that wrote nothing is a bug, not a hang.
        if (!reply) throw new Error(`${id}: the download handler sent nothing`);
        if (opts.checkReplies) {
          const checked = reply.safeParse(result);
          if (!checked.success) {
            opts.log.error(
              { operation: id, issues: checked.error.issues },
              'reply does not match its schema',
            );
            throw new Error(`reply of ${id} does not match its schema`);
          }
        }
        res.status(spec.status ?? 200).json(result);
      })().catch(next);
    };
    router[def.method](def.path.replace(/^\/api/, ''), run);
    // The same operation on any host: `local` runs it here, another host through its agent.
    if (def.hosted) router[def.method](hostedTwin(def.path), run);
  }
  return router;
}

/** The path of a hosted operation's twin for any host: `/api/stacks/:name` -> `/hosts/:host/stacks/:name`. */
export function hostedTwin(apiPath: string): string {
  return `/hosts/:host${apiPath.replace(/^\/api/, '')}`;
}

export function sendError(res: Response, err: AppError): void {
  const body: ApiError = { error: { code: err.code, message: err.message } };
  if (err.details !== undefined) body.error.details = err.details;
  const retry = (err.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  if (err.code === 'THROTTLED' && typeof retry === 'number') res.setHeader('Retry-After', String(retry));
  res.status(err.status).json(body);
}

/**
 * Maps any error to the contract's JSON shape; never leaks a stack trace. Bad input was already
 * turned into AppErrors by the parsing above, so any other zod error is Berth failing to read
 * its own data: a 500 with the cause logged, never a 400 with its internals.
 */
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
    // body-parser's errors carry `type` and `status`.
    const e = err as { type?: string; status?: number; message?: string };
    if (!(err instanceof z.ZodError)) {
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
    }
    log.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    sendError(res, new AppError('INTERNAL', 'internal error'));
  };
}
