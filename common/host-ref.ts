// Plain constants, no zod: the SPA imports these to key stacks and terminals by host.

/** The host id of the engine Berth itself runs next to. */
export const LOCAL_HOST = 'local';

/** A stack anywhere: the host it lives on and its name there. */
export interface StackRef {
  host: string;
  name: string;
}

/** One string per stack across hosts (`local/web`, `h_ab12cd34ef/web`), for maps and keys. */
export function stackKey(ref: StackRef): string {
  return `${ref.host}/${ref.name}`;
}

/** The path of a host-scoped API call: local stays `/api/...`, another host `/api/hosts/<id>/...`. */
export function hostedPath(host: string, apiPath: string): string {
  return host === LOCAL_HOST
    ? apiPath
    : `/api/hosts/${encodeURIComponent(host)}${apiPath.replace(/^\/api/, '')}`;
}
