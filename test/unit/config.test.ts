import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, prepareDirectories } from '../../server/src/config.js';
import { tempDir } from '../helpers/factories.js';

describe('loadConfig', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({}, [], '/srv/berth');
    expect(c).toEqual({
      stacksDir: '/opt/stacks',
      stacksDepth: 1,
      dataDir: '/srv/berth/data',
      port: 5001,
      host: '0.0.0.0',
      adminUser: undefined,
      adminPassword: undefined,
      logLevel: 'info',
      trustProxy: 'loopback',
      dockerDaemonConfig: '/etc/docker/daemon.json',
    });
  });

  it('takes the daemon.json to read address pools from', () => {
    expect(loadConfig({ BERTH_DOCKER_DAEMON_CONFIG: '/srv/daemon.json' }).dockerDaemonConfig).toBe(
      '/srv/daemon.json',
    );
  });

  it('reads BERTH_STACKS_DEPTH from 1 to 4 and refuses anything else', () => {
    expect(loadConfig({ BERTH_STACKS_DEPTH: '2' }).stacksDepth).toBe(2);
    expect(loadConfig({}, ['--stacks-depth', '4']).stacksDepth).toBe(4);
    for (const bad of ['0', '5', 'two', '-1']) {
      expect(() => loadConfig({ BERTH_STACKS_DEPTH: bad })).toThrow(/BERTH_STACKS_DEPTH/);
    }
  });

  it.each([
    ['true', true],
    ['false', false],
    ['1', 1],
    ['172.16.0.0/12', '172.16.0.0/12'],
    ['loopback, 10.0.0.1, fd00::/8', 'loopback, 10.0.0.1, fd00::/8'],
  ] as const)('takes BERTH_TRUST_PROXY=%s', (raw, value) => {
    expect(loadConfig({ BERTH_TRUST_PROXY: raw }).trustProxy).toEqual(value);
  });

  it('reads environment variables and resolves relative paths against cwd', () => {
    const c = loadConfig(
      {
        BERTH_STACKS_DIR: 'stacks',
        BERTH_DATA_DIR: '/var/lib/berth',
        BERTH_PORT: '8080',
        BERTH_HOST: '127.0.0.1',
        BERTH_ADMIN_USER: 'admin',
        BERTH_ADMIN_PASSWORD: 'correct horse',
      },
      [],
      '/home/me',
    );
    expect(c.stacksDir).toBe('/home/me/stacks');
    expect(c.dataDir).toBe('/var/lib/berth');
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.adminUser).toBe('admin');
    expect(c.adminPassword).toBe('correct horse');
  });

  it('lets flags win over the environment, in both --flag value and --flag=value forms', () => {
    const c = loadConfig({ BERTH_PORT: '7000' }, ['--port', '7001', '--stacks-dir=/x/y', '--host', '::1']);
    expect(c.port).toBe(7001);
    expect(c.stacksDir).toBe('/x/y');
    expect(c.host).toBe('::1');
  });

  it('reads the update schedule, window and health timeout', () => {
    const c = loadConfig({
      BERTH_UPDATE_INTERVAL: '30m',
      BERTH_UPDATE_WINDOW: '02:00-05:30',
      BERTH_UPDATE_HEALTH_TIMEOUT: '90',
    });
    expect(c.updateIntervalMs).toBe(1_800_000);
    expect(c.updateWindow).toEqual({ start: 120, end: 330 });
    expect(c.updateHealthTimeoutMs).toBe(90_000);
    expect(loadConfig({ BERTH_UPDATE_INTERVAL: '0' }).updateIntervalMs).toBe(0);
    expect(loadConfig({}).updateIntervalMs).toBeUndefined();
  });

  it('reads agent mode (--hub, --enroll or their variables), the public URL and the host name', () => {
    const c = loadConfig({ BERTH_PUBLIC_URL: 'https://hub.example/', BERTH_HOST_NAME: 'nas' }, [
      '--hub',
      'https://hub.example/',
      '--enroll',
      'tok',
    ]);
    expect(c).toMatchObject({
      hubUrl: 'https://hub.example',
      enrollToken: 'tok',
      publicUrl: 'https://hub.example',
      hostName: 'nas',
    });
    expect(loadConfig({ BERTH_HUB_URL: 'http://10.0.0.2:5001', BERTH_ENROLL_TOKEN: 't' })).toMatchObject({
      hubUrl: 'http://10.0.0.2:5001',
      enrollToken: 't',
    });
  });

  it('treats an empty environment variable as unset', () => {
    expect(loadConfig({ BERTH_PORT: '' }).port).toBe(5001);
  });

  it.each([
    [{ BERTH_PORT: 'abc' }, [], /^BERTH_PORT must be a whole number from 0 to 65535, got "abc"$/],
    [{ BERTH_PORT: '70000' }, [], /BERTH_PORT must be a whole number from 0 to 65535, got "70000"/],
    [{ BERTH_PORT: '-1' }, [], /BERTH_PORT must be/],
    [{ BERTH_PORT: '80.5' }, [], /BERTH_PORT must be/],
    [{}, ['--port', 'x'], /^--port must be a whole number/],
    [{}, ['--port'], /^--port needs a value$/],
    [{}, ['--hub', 'ftp://hub'], /^--hub must be an http:\/\/ or https:\/\/ URL, got "ftp:\/\/hub"$/],
    [{ BERTH_HUB_URL: 'hub.example' }, [], /^BERTH_HUB_URL must be an http:\/\/ or https:\/\/ URL/],
    [{}, ['--bogus', '1'], /^unknown argument "--bogus"/],
    [{ BERTH_LOG_LEVEL: 'loud' }, [], /BERTH_LOG_LEVEL must be one of/],
    [{ BERTH_ADMIN_USER: 'admin' }, [], /BERTH_ADMIN_USER and BERTH_ADMIN_PASSWORD must be set together/],
    [{ BERTH_TRUST_PROXY: 'my-proxy' }, [], /^BERTH_TRUST_PROXY must be true, false, a number of hops/],
    [{}, ['--trust-proxy', '10.0.0.0/33'], /^--trust-proxy must be true, false/],
    [{ BERTH_UPDATE_INTERVAL: '6' }, [], /^BERTH_UPDATE_INTERVAL must be 0 or a number with a unit/],
    [
      { BERTH_UPDATE_WINDOW: 'nightly' },
      [],
      /^BERTH_UPDATE_WINDOW must be a local time window like 02:00-05:00/,
    ],
    [
      { BERTH_UPDATE_HEALTH_TIMEOUT: '2m' },
      [],
      /^BERTH_UPDATE_HEALTH_TIMEOUT must be a whole number of seconds/,
    ],
  ] as const)('rejects %o %o with one clear line', (env, argv, message) => {
    let caught: unknown;
    try {
      loadConfig(env, argv);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const text = (caught as Error).message;
    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });
});

describe('prepareDirectories', () => {
  let cleanup: () => void = () => undefined;
  afterEach(() => cleanup());

  it('creates missing stacks and data directories', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const c = loadConfig({ BERTH_STACKS_DIR: 'a/stacks', BERTH_DATA_DIR: 'b/data' }, [], t.dir);
    prepareDirectories(c);
    expect(c.stacksDir).toBe(path.join(t.dir, 'a/stacks'));
    expect(() => prepareDirectories(c)).not.toThrow();
  });

  it('refuses a stacks dir that is a file', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const file = path.join(t.dir, 'file');
    writeFileSync(file, 'x');
    const c = loadConfig({ BERTH_STACKS_DIR: file, BERTH_DATA_DIR: 'data' }, [], t.dir);
    expect(() => prepareDirectories(c)).toThrow(
      new ConfigError(`BERTH_STACKS_DIR "${file}" is not a directory`),
    );
  });

  it('refuses a data dir below a file', () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(path.join(t.dir, 'file'), 'x');
    const c = loadConfig({ BERTH_STACKS_DIR: 's', BERTH_DATA_DIR: 'file/data' }, [], t.dir);
    expect(() => prepareDirectories(c)).toThrow(/BERTH_DATA_DIR ".*file\/data" is not a directory/);
  });
});
