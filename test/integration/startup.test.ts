import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/factories.js';

const MAIN = ['--import', 'tsx', 'server/src/main.ts'];

function startBerth(env: Record<string, string>, args: string[] = []) {
  return spawn(process.execPath, [...MAIN, ...args], {
    env: { ...process.env, BERTH_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function collect(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

describe('starting Berth as a process', () => {
  let cleanup: () => void = () => undefined;
  afterEach(() => cleanup());

  it.each([
    [{ BERTH_PORT: 'abc' }, [], 'BERTH_PORT must be a whole number from 0 to 65535, got "abc"'],
    [{}, ['--port', '99999'], '--port must be a whole number from 0 to 65535, got "99999"'],
    [{ BERTH_STACKS_DIR: '/etc/hostname' }, [], 'BERTH_STACKS_DIR "/etc/hostname" is not a directory'],
  ])('with %o %o exits non-zero with one line', async (env, args, message) => {
    const t = tempDir();
    cleanup = t.cleanup;
    const child = startBerth(
      { BERTH_STACKS_DIR: t.dir + '/stacks', BERTH_DATA_DIR: t.dir + '/data', ...env },
      args,
    );
    const [stderr, stdout, [code]] = await Promise.all([
      collect(child.stderr),
      collect(child.stdout),
      once(child, 'exit'),
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`berth: configuration error: ${message}\n`);
  });

  it('listens, answers /api/health, creates its folders, and stops cleanly on SIGTERM', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const child = startBerth({
      BERTH_PORT: '0',
      BERTH_HOST: '127.0.0.1',
      BERTH_STACKS_DIR: t.dir + '/stacks',
      BERTH_DATA_DIR: t.dir + '/data',
    });
    const exited = once(child, 'exit');
    let port: number | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      const entry = JSON.parse(line) as { msg: string; port?: number };
      if (entry.msg === 'berth listening') {
        port = entry.port;
        break;
      }
    }
    expect(port).toBeGreaterThan(0);
    const res = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
    expect(statSync(t.dir + '/stacks').isDirectory()).toBe(true);
    expect(statSync(t.dir + '/data').isDirectory()).toBe(true);
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
