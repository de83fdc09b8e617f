import { describe, expect, it } from 'vitest';
import { digestFor, parseImageRef, repoName } from '../../../server/src/updates/image-ref.js';

const D = `sha256:${'a'.repeat(64)}`;

describe('parseImageRef', () => {
  it.each([
    ['nginx', 'docker.io', 'registry-1.docker.io', 'library/nginx', 'latest', null],
    ['nginx:1.27', 'docker.io', 'registry-1.docker.io', 'library/nginx', '1.27', null],
    [
      'docker.io/louislam/uptime-kuma:1',
      'docker.io',
      'registry-1.docker.io',
      'louislam/uptime-kuma',
      '1',
      null,
    ],
    ['index.docker.io/library/redis', 'docker.io', 'registry-1.docker.io', 'library/redis', 'latest', null],
    ['ghcr.io/o/a/b:v2', 'ghcr.io', 'ghcr.io', 'o/a/b', 'v2', null],
    ['127.0.0.1:5000/app', '127.0.0.1:5000', '127.0.0.1:5000', 'app', 'latest', null],
    ['localhost/app:x', 'localhost', 'localhost', 'app', 'x', null],
    [`quay.io/a/b@${D}`, 'quay.io', 'quay.io', 'a/b', null, D],
    [`nginx:1@${D}`, 'docker.io', 'registry-1.docker.io', 'library/nginx', '1', D],
  ])('%s', (input, registry, apiHost, repository, tag, digest) => {
    expect(parseImageRef(input)).toEqual({ registry, apiHost, repository, tag, digest });
  });

  it.each(['', 'UPPER/case', 'a b', 'nginx@sha256:short', 'nginx:bad tag', 'x:'])('refuses %j', (input) => {
    expect(parseImageRef(input)).toBeNull();
  });
});

describe('digestFor and repoName', () => {
  it('finds the digest of the same repository among RepoDigests, Docker Hub spelled short', () => {
    const ref = parseImageRef('nginx:1.27');
    if (!ref) throw new Error('parse');
    expect(repoName(ref)).toBe('nginx');
    expect(digestFor(ref, [`other/nginx@sha256:${'b'.repeat(64)}`, `nginx@${D}`])).toBe(D);
    expect(digestFor(ref, [`ghcr.io/library/nginx@${D}`])).toBeNull();
    const local = parseImageRef('127.0.0.1:5000/a/b:1');
    if (!local) throw new Error('parse');
    expect(repoName(local)).toBe('127.0.0.1:5000/a/b');
    expect(digestFor(local, [`127.0.0.1:5000/a/b@${D}`])).toBe(D);
  });
});
