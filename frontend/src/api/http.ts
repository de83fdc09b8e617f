import type { ApiError } from '../../../common/errors';
import type { BodyOf, ParamsOf, QueryOf, ReplyOf } from '../../../common/operations';
import { hostedPath, LOCAL_HOST } from '../../../common/host-ref';
import { ROUTES, urlOf, type OperationId } from '../../../common/routes';

/** An error answer from the server, carrying the contract's code and message. */
export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

let onUnauthenticated: (() => void) | undefined;

/** Called when an API answer says the session is gone (not for the auth routes themselves). */
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

/** The session is gone (the socket learnt it): the same as a 401 from the API. */
export function notifyUnauthenticated(): void {
  onUnauthenticated?.();
}

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'Content-Type': 'application/json' };
  }
  let res: Response;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiRequestError(0, 'NETWORK', 'Berth cannot be reached');
  }
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    if (res.status === 401 && !url.startsWith('/api/auth/')) onUnauthenticated?.();
    const err = (data as Partial<ApiError> | undefined)?.error;
    throw new ApiRequestError(
      res.status,
      err?.code ?? 'HTTP_' + res.status,
      err?.message ?? res.statusText,
      err?.details,
    );
  }
  return data as T;
}

/** Operations that act on one host's engine or stacks: also served as `/api/hosts/:host/...`. */
export type HostedOperationId = {
  [K in OperationId]: (typeof ROUTES)[K] extends { hosted: true } ? K : never;
}[OperationId];

type Input<K extends OperationId> = (ParamsOf<K> extends undefined
  ? { params?: never }
  : { params: ParamsOf<K> }) &
  (BodyOf<K> extends undefined ? { body?: never } : { body: BodyOf<K> }) &
  (QueryOf<K> extends undefined ? { query?: never } : { query?: QueryOf<K> }) &
  // The host a hosted operation goes to (absent: `local`); other operations have none.
  (K extends HostedOperationId ? { host?: string } : { host?: never });

/**
 * The URL of an operation on a host: path parameters filled in, query appended, and for another
 * host than `local` the `/api/hosts/<id>/...` twin (the hub forwards it to that host's agent).
 */
export function hostedUrlOf(
  id: HostedOperationId,
  host: string,
  params: Record<string, string> = {},
  query?: Record<string, string | number | boolean | undefined>,
): string {
  return hostedPath(host, urlOf(id, params, query));
}

/**
 * Calls one operation of the table (common/routes.ts): its method and path come from there,
 * its params, body and reply are typed from common/operations.ts. No URL is written by hand.
 * `host` picks the host of a hosted operation: the one place where a host becomes a URL.
 */
export function call<K extends OperationId>(
  id: K,
  ...[input]: Record<never, never> extends Input<K> ? [Input<K>?] : [Input<K>]
): Promise<ReplyOf<K>> {
  const def = ROUTES[id];
  const url = urlOf(
    id,
    (input?.params ?? {}) as Record<string, string>,
    input?.query as Record<string, string | number | boolean | undefined> | undefined,
  );
  const host = input?.host ?? LOCAL_HOST;
  return request<ReplyOf<K>>(def.method.toUpperCase(), hostedPath(host, url), input?.body);
}
