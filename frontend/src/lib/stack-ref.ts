import { LOCAL_HOST, stackKey, type StackRef } from '../../../common/host-ref';

export { LOCAL_HOST, stackKey, type StackRef };

/** The host of a socket payload or summary: absent means `local`. */
export function hostOf(payload: { host?: string | undefined }): string {
  return payload.host ?? LOCAL_HOST;
}

/** Whether a server event (which says its host only when it is not `local`) is about `host`. */
export function fromHost(payload: { host?: string | undefined }, host: string): boolean {
  return hostOf(payload) === host;
}

/**
 * The SPA path of a stack's page (or its logs / a shell): local stacks keep `/stacks/<name>`,
 * stacks of other hosts live under `/hosts/<id>/stacks/<name>`.
 */
export function stackPath(ref: StackRef, sub?: 'logs' | { shell: string }): string {
  const base =
    ref.host === LOCAL_HOST
      ? `/stacks/${encodeURIComponent(ref.name)}`
      : `/hosts/${encodeURIComponent(ref.host)}/stacks/${encodeURIComponent(ref.name)}`;
  if (sub === undefined) return base;
  if (sub === 'logs') return `${base}/logs`;
  return `${base}/shell/${encodeURIComponent(sub.shell)}`;
}
