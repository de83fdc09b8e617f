import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../server/src/logger.js';
import type { ImageRef } from '../../../server/src/updates/image-ref.js';
import type { ManifestHead, PlatformEntry, Registry } from '../../../server/src/updates/registry-client.js';
import { RegistryError } from '../../../server/src/updates/registry-client.js';
import { UpdateChecker } from '../../../server/src/updates/update-checker.js';
import type { LocalImage, UpdateContainer, UpdateEngine } from '../../../server/src/updates/update-engine.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const INDEX = 'application/vnd.oci.image.index.v1+json';

function container(service: string, imageRef: string, imageId: string): UpdateContainer {
  return {
    id: `c-${service}`,
    service,
    imageId,
    imageRef,
    state: 'running',
    health: null,
    exitCode: 0,
    startedAt: '',
    labels: {},
  };
}

class FakeEngine implements UpdateEngine {
  constructor(
    readonly list: UpdateContainer[],
    readonly images: Record<string, LocalImage>,
  ) {}
  containers() {
    return Promise.resolve(this.list);
  }
  container() {
    return Promise.resolve(null);
  }
  image(id: string) {
    return Promise.resolve(this.images[id] ?? null);
  }
  logs() {
    return Promise.resolve('');
  }
}

class FakeRegistry implements Registry {
  readonly calls: string[] = [];
  constructor(
    readonly heads: Record<string, ManifestHead>,
    readonly indexes: Record<string, PlatformEntry[]> = {},
    readonly configs: Record<string, string> = {},
  ) {}
  head(ref: ImageRef, tag: string) {
    this.calls.push(`HEAD ${ref.repository}:${tag}`);
    const h = this.heads[`${ref.repository}:${tag}`];
    return h ? Promise.resolve(h) : Promise.reject(new Error('no such tag'));
  }
  index(_ref: ImageRef, digest: string) {
    this.calls.push(`INDEX ${digest}`);
    return Promise.resolve(this.indexes[digest] ?? []);
  }
  configDigest(_ref: ImageRef, digest: string) {
    this.calls.push(`MANIFEST ${digest}`);
    return Promise.resolve(this.configs[digest] ?? '');
  }
  tags() {
    return Promise.resolve([]);
  }
}

const local = (id: string, digest: string): LocalImage => ({
  id,
  repoDigests: [`reg.example/app@${digest}`],
  os: 'linux',
  architecture: 'amd64',
});

describe('UpdateChecker', () => {
  const yaml = 'services:\n  web:\n    image: reg.example/app:1\n  worker:\n    image: reg.example/app:1\n';

  it('one HEAD for two services on the same image; equal digests are up to date', async () => {
    const engine = new FakeEngine(
      [container('web', 'reg.example/app:1', 'img1'), container('worker', 'reg.example/app:1', 'img1')],
      { img1: local('img1', d('a')) },
    );
    const registry = new FakeRegistry({
      'app:1': { digest: d('a'), mediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    const checks = await new UpdateChecker({ engine, registry, log: silentLogger() }).checkStack('s', yaml);
    expect(checks.map((c) => c.status)).toEqual(['up-to-date', 'up-to-date']);
    expect(registry.calls).toEqual(['HEAD app:1']);
  });

  it('multi-arch: a changed index with our platform unchanged is up to date; changed is an update', async () => {
    const engine = new FakeEngine([container('web', 'reg.example/app:1', d('c'))], {
      [d('c')]: local(d('c'), d('1')),
    });
    const entries = (amd: string): PlatformEntry[] => [
      { digest: amd, os: 'linux', architecture: 'amd64' },
      { digest: d('9'), os: 'linux', architecture: 'arm64', variant: 'v8' },
    ];
    const registry = new FakeRegistry(
      { 'app:1': { digest: d('2'), mediaType: INDEX } },
      { [d('2')]: entries(d('5')) },
      { [d('5')]: d('c') },
    );
    const checker = new UpdateChecker({ engine, registry, log: silentLogger() });
    const same = await checker.checkStack('s', 'services:\n  web:\n    image: reg.example/app:1\n');
    expect(same[0]).toMatchObject({ status: 'up-to-date', currentDigest: d('1'), latestDigest: d('2') });
    expect(same[0]?.reason).toContain('linux/amd64 is the same');
    registry.configs[d('5')] = d('e');
    const changed = await checker.checkStack('s', 'services:\n  web:\n    image: reg.example/app:1\n');
    expect(changed[0]).toMatchObject({
      status: 'update-available',
      reason: `new linux/amd64 image ${d('5')}`,
    });
  });

  it('an unreachable registry is "not checked", a refusal is an error, each with the reason', async () => {
    const engine = new FakeEngine([container('web', 'reg.example/app:1', 'img1')], {
      img1: local('img1', d('a')),
    });
    const registry = new FakeRegistry({});
    registry.head = () =>
      Promise.reject(new RegistryError('unreachable', 'reg.example is unreachable (ENOTFOUND)'));
    const checker = new UpdateChecker({ engine, registry, log: silentLogger() });
    expect((await checker.checkStack('s', yaml))[0]).toMatchObject({
      status: 'not-checked',
      currentDigest: d('a'),
      reason: 'reg.example is unreachable (ENOTFOUND)',
    });
    registry.head = () =>
      Promise.reject(new RegistryError('unauthorized', 'reg.example refused access to app (401)'));
    expect((await checker.checkStack('s', yaml))[0]).toMatchObject({
      status: 'error',
      reason: expect.stringContaining('401'),
    });
  });

  it('says why a service is not checked', async () => {
    const engine = new FakeEngine(
      [
        container('built', 'stack-built', 'b'),
        container('loaded', 'reg.example/app:2', 'l'),
        container('pinned', `reg.example/app@${d('3')}`, 'p'),
      ],
      {
        b: { id: 'b', repoDigests: [], os: 'linux', architecture: 'amd64' },
        l: { id: 'l', repoDigests: [], os: 'linux', architecture: 'amd64' },
      },
    );
    const registry = new FakeRegistry({});
    const checks = await new UpdateChecker({ engine, registry, log: silentLogger() }).checkStack(
      's',
      `services:\n  built:\n    build: .\n  loaded:\n    image: reg.example/app:2\n  pinned:\n    image: reg.example/app@${d('3')}\n  never:\n    image: x\n  quiet:\n    image: x\n    labels: [berth.update=off]\n`,
    );
    expect(Object.fromEntries(checks.map((c) => [c.service, c.reason]))).toEqual({
      built: 'built locally (build:), no registry to compare with',
      loaded: 'the image has no registry digest (built or loaded locally, never pulled or pushed)',
      never: 'no container: the service was never deployed',
      pinned: 'pinned by digest in the compose file',
      quiet: 'berth.update: off',
    });
    expect(checks.every((c) => c.status === 'not-checked')).toBe(true);
    expect(registry.calls).toEqual([]);
  });
});
