import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/factories.js';

function makeStacks(root: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, `stack-${i}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'compose.yaml'), `services:\n  app:\n    image: busybox\n`);
  }
}

function makeDataFolder(dir: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `d${Math.floor(i / 500)}`);
    if (i % 500 === 0) mkdirSync(sub, { recursive: true });
    writeFileSync(path.join(sub, `f${i}.dat`), 'x');
  }
}

function probe(stacksDir: string, dataDir: string): Record<string, unknown> {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'test/bench/watcher-probe.ts', stacksDir, dataDir, 'stack-0'],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
}

/** Watcher start-up and memory with 20 stacks, then again when one stack holds 50,000 data files. */
export async function benchWatcher() {
  const t = tempDir('berth-bench-watch-');
  try {
    const stacks = path.join(t.dir, 'stacks');
    makeStacks(stacks, 20);
    const plain = probe(stacks, path.join(t.dir, 'data'));
    makeDataFolder(path.join(stacks, 'stack-1', 'data'), 50_000);
    const withData = probe(stacks, path.join(t.dir, 'data'));
    return { name: 'watcher', stacks: 20, plain, with50kDataFiles: withData };
  } finally {
    t.cleanup();
  }
}
