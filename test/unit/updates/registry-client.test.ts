import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../server/src/logger.js';
import { parseImageRef } from '../../../server/src/updates/image-ref.js';
import { parseChallenge, RegistryClient } from '../../../server/src/updates/registry-client.js';

const D1 = `sha256:${'1'.repeat(64)}`;

interface Call {
  url: string;
  method: string;
  auth: string | null;
}

/** A scripted registry behind a fake fetch: Docker Hub-like bearer auth, optional 429s. */
function fakeHub(opts: { limited?: number; retryAfter?: string; basic?: boolean } = {}) {
  const calls: Call[] = [];
  let limited = opts.limited ?? 0;
  const fetchImpl = (async (input: string | URL, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    const auth = headers.get('authorization');
    calls.push({ url, method: init?.method ?? 'GET', auth });
    if (url.startsWith('https://auth.example/token')) {
      return new Response(JSON.stringify({ token: 'tok-1', expires_in: 300 }), { status: 200 });
    }
    const challenge = opts.basic
      ? 'Basic realm="r"'
      : 'Bearer realm="https://auth.example/token",service="reg.example"';
    const ok = opts.basic
      ? auth === `Basic ${Buffer.from('u:p').toString('base64')}`
      : auth === 'Bearer tok-1';
    if (!ok) return new Response(null, { status: 401, headers: { 'www-authenticate': challenge } });
    if (url.endsWith('/v2/')) return new Response('{}', { status: 200 });
    if (limited > 0) {
      limited--;
      return new Response(null, {
        status: 429,
        headers: opts.retryAfter ? { 'retry-after': opts.retryAfter } : {},
      });
    }
    return new Response(null, {
      status: 200,
      headers: { 'docker-content-digest': D1, 'content-type': 'application/vnd.oci.image.index.v1+json' },
    });
  }) as typeof fetch;
  return { calls, fetchImpl };
}

const ref = parseImageRef('reg.example/team/app:1');
if (!ref) throw new Error('parse');

describe('parseChallenge', () => {
  it('reads bearer and basic challenges with quoted and bare values', () => {
    expect(parseChallenge('Bearer realm="https://a/t",service="s",scope="repository:x:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://a/t', service: 's', scope: 'repository:x:pull' },
    });
    expect(parseChallenge('Basic realm=reg')).toEqual({ scheme: 'basic', params: { realm: 'reg' } });
    expect(parseChallenge('Negotiate abc')).toBeNull();
    expect(parseChallenge(null)).toBeNull();
  });
});

describe('RegistryClient', () => {
  it('pings /v2/ once, fetches a token for the scope, then HEADs; the token is reused', async () => {
    const hub = fakeHub();
    const client = new RegistryClient({
      credentials: { get: () => Promise.resolve(null) },
      log: silentLogger(),
      fetch: hub.fetchImpl,
    });
    expect(await client.head(ref, '1')).toEqual({
      digest: D1,
      mediaType: 'application/vnd.oci.image.index.v1+json',
    });
    await client.head(ref, '1');
    expect(hub.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET https://reg.example/v2/',
      'GET https://auth.example/token?service=reg.example&scope=repository%3Ateam%2Fapp%3Apull',
      'HEAD https://reg.example/v2/team/app/manifests/1',
      'HEAD https://reg.example/v2/team/app/manifests/1',
    ]);
    expect(hub.calls[2]?.auth).toBe('Bearer tok-1');
    expect(hub.calls.some((c) => c.method === 'GET' && c.url.includes('/manifests/'))).toBe(false);
  });

  it('sends the credentials for basic auth', async () => {
    const hub = fakeHub({ basic: true });
    const client = new RegistryClient({
      credentials: {
        get: (r) => Promise.resolve(r === 'reg.example' ? { username: 'u', password: 'p' } : null),
      },
      log: silentLogger(),
      fetch: hub.fetchImpl,
    });
    expect((await client.head(ref, '1')).digest).toBe(D1);
    expect(hub.calls.filter((c) => c.method === 'HEAD')).toHaveLength(1);
  });

  it('after a 429 it pauses the host until Retry-After, and backs off doubling without one', async () => {
    let now = 1_000_000;
    const hub = fakeHub({ limited: 3, retryAfter: '30' });
    const client = new RegistryClient({
      credentials: { get: () => Promise.resolve(null) },
      log: silentLogger(),
      fetch: hub.fetchImpl,
      now: () => now,
      minBackoffMs: 10_000,
    });
    await expect(client.head(ref, '1')).rejects.toMatchObject({
      kind: 'rate-limited',
      until: new Date(now + 30_000),
    });
    const before = hub.calls.length;
    await expect(client.head(ref, '1')).rejects.toThrow(/^rate limited until /);
    expect(hub.calls.length).toBe(before);
    now += 30_001;
    await expect(client.head(ref, '1')).rejects.toMatchObject({ kind: 'rate-limited' });

    const noHeader = fakeHub({ limited: 2 });
    const c2 = new RegistryClient({
      credentials: { get: () => Promise.resolve(null) },
      log: silentLogger(),
      fetch: noHeader.fetchImpl,
      now: () => now,
      minBackoffMs: 10_000,
    });
    await expect(c2.head(ref, '1')).rejects.toMatchObject({ until: new Date(now + 10_000) });
    now += 10_001;
    await expect(c2.head(ref, '1')).rejects.toMatchObject({ until: new Date(now + 20_000) });
    now += 20_001;
    expect((await c2.head(ref, '1')).digest).toBe(D1);
    expect(c2.rateLimitedUntil('reg.example')).toBeNull();
  });

  it('reports an unreachable registry as such', async () => {
    const client = new RegistryClient({
      credentials: { get: () => Promise.resolve(null) },
      log: silentLogger(),
      fetch: (() =>
        Promise.reject(
          Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
        )) as typeof fetch,
    });
    await expect(client.head(ref, '1')).rejects.toMatchObject({
      kind: 'unreachable',
      message: 'reg.example is unreachable (ECONNREFUSED)',
    });
  });
});
