import { describe, expect, it } from 'vitest';
import { childEnv, dotenvKeys } from '../../../server/src/lib/child-env.js';

describe('childEnv', () => {
  const source = {
    PATH: '/usr/bin',
    HOME: '/root',
    LANG: 'C.UTF-8',
    LC_ALL: 'C',
    TZ: 'UTC',
    DOCKER_HOST: 'unix:///x.sock',
    DOCKER_CONFIG: '/cfg',
    BERTH_ADMIN_PASSWORD: 'secret',
    BERTH_PORT: '5001',
    NODE_OPTIONS: '--inspect',
    COMPOSE_PROJECT_NAME: 'hijack',
    X: 'from-berth',
  };

  it('passes only the allow-list: nothing of Berth, Node or compose', () => {
    expect(childEnv({ source })).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      TZ: 'UTC',
      DOCKER_HOST: 'unix:///x.sock',
      DOCKER_CONFIG: '/cfg',
    });
  });

  it("drops what a stack's .env sets, so the stack's value wins", () => {
    const env = childEnv({ source, omit: dotenvKeys('TZ=Europe/Berlin\nexport LANG=de_DE.UTF-8\n') });
    expect(env.TZ).toBeUndefined();
    expect(env.LANG).toBeUndefined();
    expect(env.PATH).toBe('/usr/bin');
  });
});

describe('dotenvKeys', () => {
  it('reads KEY=, export KEY= and skips comments and junk', () => {
    expect(dotenvKeys('# c\nA=1\n  export B = 2\nC\n=x\nD.E-F=3\r\n')).toEqual(['A', 'B', 'D.E-F']);
  });
});
