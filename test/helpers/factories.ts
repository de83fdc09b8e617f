import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Config } from '../../server/src/config.js';

/** A temporary directory removed by the returned cleanup. */
export function tempDir(prefix = 'berth-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    stacksDir: '/nonexistent/stacks',
    stacksDepth: 1,
    dataDir: '/nonexistent/data',
    port: 0,
    host: '127.0.0.1',
    adminUser: undefined,
    adminPassword: undefined,
    logLevel: 'silent',
    trustProxy: 'loopback',
    dockerDaemonConfig: '/etc/docker/daemon.json',
    ...overrides,
  };
}
