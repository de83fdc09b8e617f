import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/src/config.js';
import { demux, dockerOptionsFor } from '../../../server/src/swarm/swarm-engine.js';

describe('the engine Berth drives', () => {
  it('DOCKER_HOST becomes config.dockerHost, and dockerode options for it', () => {
    expect(loadConfig({ DOCKER_HOST: 'unix:///tmp/b.sock' }).dockerHost).toBe('unix:///tmp/b.sock');
    expect(loadConfig({}).dockerHost).toBeUndefined();
    expect(dockerOptionsFor('unix:///tmp/b.sock')).toEqual({ socketPath: '/tmp/b.sock' });
    expect(dockerOptionsFor('tcp://10.0.0.5:2375')).toEqual({
      host: '10.0.0.5',
      port: 2375,
      protocol: 'http',
    });
    expect(dockerOptionsFor(undefined)).toEqual({});
  });
});

describe('service log frames', () => {
  const frame = (stream: number, text: string) => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = stream;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };
  it('joins stdout and stderr frames in order; unframed text passes as it is', () => {
    expect(demux(Buffer.concat([frame(1, 'out line\n'), frame(2, 'err line\n')]))).toBe(
      'out line\nerr line\n',
    );
    expect(demux(Buffer.from('plain tty text\n'))).toBe('plain tty text\n');
    expect(demux(Buffer.alloc(0))).toBe('');
  });
});
