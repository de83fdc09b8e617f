/** A parsed image reference, normalised the way the docker CLI does it. */
export interface ImageRef {
  /** Registry host as written (`docker.io`, `ghcr.io`, `127.0.0.1:5000`). */
  registry: string;
  /** Host to talk the registry API to (`registry-1.docker.io` for Docker Hub). */
  apiHost: string;
  /** Repository path (`library/nginx`). */
  repository: string;
  tag: string | null;
  digest: string | null;
}

const DOCKER_HUB = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/** Parses `nginx`, `user/app:1`, `ghcr.io/o/a@sha256:...`, `127.0.0.1:5000/a:b`; null when invalid. */
export function parseImageRef(input: string): ImageRef | null {
  let rest = input.trim();
  if (!rest || rest.length > 512) return null;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return null;
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return null;
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  const first = parts[0] ?? '';
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first;
    parts.shift();
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (parts.length === 0 || !parts.every((p) => COMPONENT.test(p))) return null;
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  if (!tag && !digest) tag = 'latest';
  return {
    registry,
    apiHost: registry === DOCKER_HUB ? 'registry-1.docker.io' : registry,
    repository: parts.join('/'),
    tag,
    digest,
  };
}

/** `registry/repository` as RepoDigests spell it (`docker.io/library/nginx` is written `nginx`). */
export function repoName(ref: ImageRef): string {
  if (ref.registry !== DOCKER_HUB) return `${ref.registry}/${ref.repository}`;
  return ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : ref.repository;
}

/** The digest among an image's RepoDigests that belongs to the reference's repository. */
export function digestFor(ref: ImageRef, repoDigests: readonly string[]): string | null {
  for (const rd of repoDigests) {
    const at = rd.lastIndexOf('@');
    if (at < 0) continue;
    const parsed = parseImageRef(rd);
    if (parsed && parsed.registry === ref.registry && parsed.repository === ref.repository) {
      return rd.slice(at + 1);
    }
  }
  return null;
}

/** Plain-HTTP registries: loopback only, as dockerd allows 127.0.0.0/8 without TLS. */
export function isInsecureHost(host: string): boolean {
  const name = host.replace(/:\d+$/, '');
  return name === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(name) || name === '[::1]';
}
