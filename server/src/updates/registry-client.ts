import type { Logger } from '../logger.js';
import type { BasicCredentials, CredentialSource } from './docker-credentials.js';
import { isInsecureHost, type ImageRef } from './image-ref.js';

export const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

export const isIndexMediaType = (t: string | null | undefined): boolean => !!t && INDEX_TYPES.has(t);

export type RegistryErrorKind = 'unreachable' | 'unauthorized' | 'not-found' | 'rate-limited' | 'protocol';

export class RegistryError extends Error {
  override name = 'RegistryError';
  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    readonly until?: Date,
  ) {
    super(message);
  }
}

export interface ManifestHead {
  digest: string;
  mediaType: string | null;
}

export interface PlatformEntry {
  digest: string;
  os: string;
  architecture: string;
  variant?: string;
}

/** What the update checker needs from a registry; faked in unit tests. */
export interface Registry {
  /** HEAD /v2/<repo>/manifests/<tag>: the digest the tag points at. Never a GET. */
  head(ref: ImageRef, reference: string): Promise<ManifestHead>;
  /** GET of an index by digest (content-addressed, so cached for good). */
  index(ref: ImageRef, digest: string): Promise<PlatformEntry[]>;
  /** GET of a single-platform manifest by digest: its config digest (the local image id). */
  configDigest(ref: ImageRef, digest: string): Promise<string>;
  /** GET /v2/<repo>/tags/list, every page. */
  tags(ref: ImageRef): Promise<string[]>;
}

interface Challenge {
  scheme: 'bearer' | 'basic';
  params: Record<string, string>;
}

/** Parses `Bearer realm="...",service="...",scope="..."` (or Basic). */
export function parseChallenge(header: string | null): Challenge | null {
  if (!header) return null;
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return null;
  const scheme = (m[1] ?? '').toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'basic') return null;
  const params: Record<string, string> = {};
  for (const p of (m[2] ?? '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    params[(p[1] ?? '').toLowerCase()] = p[2] ?? p[3] ?? '';
  }
  return { scheme, params };
}

export interface RegistryClientOptions {
  credentials: CredentialSource;
  log: Logger;
  fetch?: typeof fetch;
  timeoutMs?: number;
  /** First back-off after a 429 without Retry-After; doubles up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
}

const basicHeader = (c: BasicCredentials) =>
  `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;

/**
 * Registry API v2 over Node's fetch: anonymous or credentialed bearer tokens (cached until they
 * expire), basic auth, and a per-host pause after 429 ("rate limited until ...").
 */
export class RegistryClient implements Registry {
  private readonly tokens = new Map<string, { token: string; expires: number }>();
  /** Each host's challenge from GET /v2/ (null: no auth needed). */
  private readonly challenges = new Map<string, Challenge | null>();
  private readonly limited = new Map<string, { until: number; backoff: number }>();
  private readonly indexCache = new Map<string, PlatformEntry[]>();
  private readonly configCache = new Map<string, string>();
  private readonly fetch: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly opts: RegistryClientOptions) {
    this.fetch = opts.fetch ?? fetch;
    this.now = opts.now ?? Date.now;
  }

  /** When a host is paused after 429, until when. */
  rateLimitedUntil(host: string): Date | null {
    const l = this.limited.get(host);
    return l && l.until > this.now() ? new Date(l.until) : null;
  }

  async head(ref: ImageRef, reference: string): Promise<ManifestHead> {
    const res = await this.request(ref, 'HEAD', `manifests/${reference}`, MANIFEST_ACCEPT);
    const digest = res.headers.get('docker-content-digest');
    if (!digest)
      throw new RegistryError('protocol', 'the registry answered HEAD without Docker-Content-Digest');
    const mediaType = res.headers.get('content-type')?.split(';')[0]?.trim() ?? null;
    return { digest, mediaType };
  }

  async index(ref: ImageRef, digest: string): Promise<PlatformEntry[]> {
    const key = `${ref.apiHost}/${ref.repository}@${digest}`;
    const cached = this.indexCache.get(key);
    if (cached) return cached;
    const res = await this.request(ref, 'GET', `manifests/${digest}`, MANIFEST_ACCEPT);
    const body = (await res.json()) as {
      manifests?: { digest?: string; platform?: { os?: string; architecture?: string; variant?: string } }[];
    };
    const entries: PlatformEntry[] = (body.manifests ?? [])
      .filter((m) => m.digest && m.platform?.os && m.platform.architecture)
      .map((m) => ({
        digest: m.digest ?? '',
        os: m.platform?.os ?? '',
        architecture: m.platform?.architecture ?? '',
        ...(m.platform?.variant ? { variant: m.platform.variant } : {}),
      }));
    this.indexCache.set(key, entries);
    return entries;
  }

  async configDigest(ref: ImageRef, digest: string): Promise<string> {
    const key = `${ref.apiHost}/${ref.repository}@${digest}`;
    const cached = this.configCache.get(key);
    if (cached) return cached;
    const res = await this.request(ref, 'GET', `manifests/${digest}`, MANIFEST_ACCEPT);
    const body = (await res.json()) as { config?: { digest?: string } };
    const config = body.config?.digest;
    if (!config) throw new RegistryError('protocol', `manifest ${digest} has no config`);
    this.configCache.set(key, config);
    return config;
  }

  async tags(ref: ImageRef): Promise<string[]> {
    const out: string[] = [];
    let next: string | null = `tags/list?n=1000`;
    for (let page = 0; next && page < 50; page++) {
      const res = await this.request(ref, 'GET', next, 'application/json');
      const body = (await res.json()) as { tags?: string[] | null };
      out.push(...(body.tags ?? []));
      // Link: </v2/<repo>/tags/list?last=x&n=1000>; rel="next"
      const link = /<[^>]*\/v2\/.+?\/(tags\/list\?[^>]*)>\s*;\s*rel="?next"?/.exec(
        res.headers.get('link') ?? '',
      );
      next = link?.[1] ?? null;
    }
    return out;
  }

  private base(ref: ImageRef): string {
    return `${isInsecureHost(ref.apiHost) ? 'http' : 'https'}://${ref.apiHost}/v2/${ref.repository}/`;
  }

  private async request(ref: ImageRef, method: 'HEAD' | 'GET', pathAndQuery: string, accept: string) {
    const host = ref.apiHost;
    const until = this.rateLimitedUntil(host);
    if (until) throw new RegistryError('rate-limited', `rate limited until ${until.toISOString()}`, until);
    const url = this.base(ref) + pathAndQuery;
    const scope = `repository:${ref.repository}:pull`;
    const tokenKey = `${host}|${scope}`;
    const headers: Record<string, string> = { Accept: accept };
    // Learn the host's challenge once (GET /v2/, as docker does), then fetch tokens before the
    // request: a check costs one HEAD per image, not a 401 and a HEAD.
    const challenge = await this.challengeOf(ref);
    if (challenge) {
      const auth = await this.authorize(ref, challenge, scope, tokenKey, false);
      if (auth) headers.Authorization = auth;
    }
    let res = await this.send(url, method, headers);
    if (res.status === 401) {
      const fresh = parseChallenge(res.headers.get('www-authenticate'));
      if (fresh) this.challenges.set(host, fresh);
      const auth = fresh ? await this.authorize(ref, fresh, scope, tokenKey, true) : null;
      if (!auth) throw new RegistryError('unauthorized', `${host} refused access to ${ref.repository} (401)`);
      headers.Authorization = auth;
      res = await this.send(url, method, headers);
    }
    if (res.status === 429) throw this.rateLimited(host, res.headers.get('retry-after'));
    this.limited.delete(host);
    if (res.status === 401 || res.status === 403) {
      throw new RegistryError('unauthorized', `${host} refused access to ${ref.repository} (${res.status})`);
    }
    if (res.status === 404)
      throw new RegistryError('not-found', `${ref.repository}: ${pathAndQuery} not found`);
    if (!res.ok) throw new RegistryError('protocol', `${host} answered ${res.status}`);
    return res;
  }

  private async send(url: string, method: string, headers: Record<string, string>): Promise<Response> {
    try {
      return await this.fetch(url, {
        method,
        headers,
        redirect: 'follow',
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      throw new RegistryError('unreachable', `${new URL(url).host} is unreachable (${cause})`);
    }
  }

  private rateLimited(host: string, retryAfter: string | null): RegistryError {
    const prev = this.limited.get(host);
    const min = this.opts.minBackoffMs ?? 60_000;
    const backoff = prev ? Math.min(prev.backoff * 2, this.opts.maxBackoffMs ?? 3_600_000) : min;
    let wait = backoff;
    if (retryAfter) {
      const secs = Number(retryAfter);
      const date = Date.parse(retryAfter);
      if (Number.isFinite(secs)) wait = secs * 1000;
      else if (Number.isFinite(date)) wait = Math.max(0, date - this.now());
    }
    const until = this.now() + wait;
    this.limited.set(host, { until, backoff });
    this.opts.log.warn({ host, until: new Date(until).toISOString() }, 'registry rate limit');
    return new RegistryError(
      'rate-limited',
      `rate limited until ${new Date(until).toISOString()}`,
      new Date(until),
    );
  }

  /** The host's auth challenge from `GET /v2/`, cached; null when it needs none. */
  private async challengeOf(ref: ImageRef): Promise<Challenge | null> {
    const host = ref.apiHost;
    if (this.challenges.has(host)) return this.challenges.get(host) ?? null;
    const res = await this.send(`${isInsecureHost(host) ? 'http' : 'https'}://${host}/v2/`, 'GET', {});
    await res.arrayBuffer().catch(() => undefined);
    if (res.status === 429) throw this.rateLimited(host, res.headers.get('retry-after'));
    const challenge = res.status === 401 ? parseChallenge(res.headers.get('www-authenticate')) : null;
    this.challenges.set(host, challenge);
    return challenge;
  }

  private async authorize(
    ref: ImageRef,
    challenge: Challenge,
    scope: string,
    tokenKey: string,
    renew: boolean,
  ): Promise<string | null> {
    const cached = this.tokens.get(tokenKey);
    if (!renew && cached && cached.expires > this.now()) return `Bearer ${cached.token}`;
    const creds = await this.opts.credentials.get(ref.registry);
    if (challenge.scheme === 'basic') return creds ? basicHeader(creds) : null;
    const realm = challenge.params.realm;
    if (!realm) return null;
    let tokenUrl: URL;
    try {
      tokenUrl = new URL(realm);
    } catch {
      return null;
    }
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
    // The /v2/ challenge names no scope; a 401 on a request names the one it needs.
    tokenUrl.searchParams.set('scope', renew && challenge.params.scope ? challenge.params.scope : scope);
    const headers: Record<string, string> = {};
    if (creds) headers.Authorization = basicHeader(creds);
    let res: Response;
    try {
      res = await this.fetch(tokenUrl, {
        headers,
        signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15_000),
      });
    } catch {
      throw new RegistryError('unreachable', `token service ${tokenUrl.host} is unreachable`);
    }
    if (res.status === 429) throw this.rateLimited(ref.apiHost, res.headers.get('retry-after'));
    if (!res.ok) return null;
    const body = (await res.json().catch(() => ({}))) as {
      token?: string;
      access_token?: string;
      expires_in?: number;
    };
    const token = body.token ?? body.access_token;
    if (!token) return null;
    // Renew a little early; the spec's default lifetime is 60 s.
    const life = Math.max(10, (body.expires_in ?? 60) - 5) * 1000;
    this.tokens.set(tokenKey, { token, expires: this.now() + life });
    return `Bearer ${token}`;
  }
}
