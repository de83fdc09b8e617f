import type { ContainerRef } from '../../../common/resources.js';
import { EngineApiError, type EngineContainerBrief } from '../engine/engine-client.js';
import { AppError } from '../errors.js';

/** Engine failures in the contract's terms: 404 NOT_FOUND, 409/403 CONFLICT, no engine 503. */
export function toAppError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  if (err instanceof EngineApiError) {
    if (err.statusCode === 404) return new AppError('NOT_FOUND', err.message);
    if (err.statusCode === 409 || err.statusCode === 403) return new AppError('CONFLICT', err.message);
    if (err.statusCode === 400) return new AppError('BAD_REQUEST', err.message);
    return err;
  }
  const code = (err as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES') {
    return new AppError('ENGINE_UNAVAILABLE', 'the Docker engine cannot be reached');
  }
  return err;
}

export async function engineCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toAppError(err);
  }
}

export function containerRef(c: EngineContainerBrief): ContainerRef {
  return { id: c.id, name: c.name, project: c.project, service: c.service, state: c.state };
}

export const PROJECT_LABEL = 'com.docker.compose.project';
/** Containers Berth creates for backups and restores; hidden from the usage of a volume. */
export const HELPER_LABEL = 'berth.helper';
