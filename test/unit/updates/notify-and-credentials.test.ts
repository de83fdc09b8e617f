import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DockerConfigCredentials,
  runCredentialHelper,
} from '../../../server/src/updates/docker-credentials.js';
import { deliveryFor, redact } from '../../../server/src/updates/notifier.js';
import { tempDir } from '../../helpers/factories.js';

describe('deliveryFor', () => {
  const notice = { event: 'update-failed' as const, title: 'T', message: 'M', stack: 's' };
  it('maps ntfy, gotify, json and http URLs to their requests, credentials as a header', () => {
    const ntfy = deliveryFor('ntfys://me:pw@ntfy.example/topic', notice);
    expect(ntfy.url).toBe('https://ntfy.example/topic');
    expect(ntfy.init.headers).toMatchObject({
      Title: 'T',
      Priority: 'high',
      Authorization: `Basic ${Buffer.from('me:pw').toString('base64')}`,
    });
    expect(ntfy.init.body).toBe('M');
    const gotify = deliveryFor('gotify://g.example/sub/TOKEN', notice);
    expect(gotify.url).toBe('http://g.example/sub/message');
    expect(gotify.init.headers).toMatchObject({ 'X-Gotify-Key': 'TOKEN' });
    expect(JSON.parse(String(gotify.init.body))).toEqual({ title: 'T', message: 'M', priority: 8 });
    const json = deliveryFor('jsons://a.example/notify', notice);
    expect(json.url).toBe('https://a.example/notify');
    expect(JSON.parse(String(json.init.body))).toMatchObject({ version: '1.0', type: 'failure' });
    const hook = deliveryFor('https://u:p@hooks.example/x?y=1', notice);
    expect(hook.url).toBe('https://hooks.example/x?y=1');
    expect(JSON.parse(String(hook.init.body))).toMatchObject({
      source: 'berth',
      event: 'update-failed',
      stack: 's',
    });
    expect(redact('gotify://g.example/sub/TOKEN')).toBe('gotify://g.example/…');
  });
});

describe('DockerConfigCredentials', () => {
  const tmp = tempDir('upd-cred-');
  afterAll(() => tmp.cleanup());

  it('reads auths (auth and username/password forms, Docker Hub under its index URL)', async () => {
    const dir = path.join(tmp.dir, 'a');
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hub:secret:x').toString('base64') },
          'ghcr.io': { username: 'gh', password: 'pat' },
        },
      }),
    );
    const creds = new DockerConfigCredentials({ DOCKER_CONFIG: dir });
    expect(await creds.get('docker.io')).toEqual({ username: 'hub', password: 'secret:x' });
    expect(await creds.get('ghcr.io')).toEqual({ username: 'gh', password: 'pat' });
    expect(await creds.get('quay.io')).toBeNull();
    expect(
      await new DockerConfigCredentials({ DOCKER_CONFIG: path.join(tmp.dir, 'none') }).get('ghcr.io'),
    ).toBeNull();
  });

  it('asks credential helpers first (credHelpers per host, then credsStore), over argv and stdin', async () => {
    const dir = path.join(tmp.dir, 'b');
    const bin = path.join(tmp.dir, 'bin');
    mkdirSync(dir);
    mkdirSync(bin);
    writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        credsStore: 'upd-store',
        credHelpers: { 'reg.example': 'upd-helper' },
        auths: { 'reg.example': { auth: Buffer.from('a:b').toString('base64') } },
      }),
    );
    const script = (user: string) =>
      `#!/bin/sh\n[ "$1" = get ] || exit 2\nread server\necho "{\\"ServerURL\\":\\"$server\\",\\"Username\\":\\"${user}\\",\\"Secret\\":\\"$server\\"}"\n`;
    writeFileSync(path.join(bin, 'docker-credential-upd-helper'), script('helper-user'));
    writeFileSync(path.join(bin, 'docker-credential-upd-store'), script('store-user'));
    chmodSync(path.join(bin, 'docker-credential-upd-helper'), 0o755);
    chmodSync(path.join(bin, 'docker-credential-upd-store'), 0o755);
    const oldPath = process.env.PATH;
    process.env.PATH = `${bin}:${oldPath ?? ''}`;
    try {
      const creds = new DockerConfigCredentials({ DOCKER_CONFIG: dir });
      expect(await creds.get('reg.example')).toEqual({ username: 'helper-user', password: 'reg.example' });
      expect(await creds.get('docker.io')).toEqual({
        username: 'store-user',
        password: 'https://index.docker.io/v1/',
      });
      expect(await runCredentialHelper('no-such-helper-upd', 'x')).toBeNull();
      expect(await runCredentialHelper('../evil', 'x')).toBeNull();
    } finally {
      process.env.PATH = oldPath;
    }
  });
});
