/**
 * Child process of the watcher bench: starts a StackStore on a stacks dir and reports start-up
 * time, memory growth and external-edit latency as one JSON line.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { silentLogger } from '../../server/src/logger.js';
import { StackHistory } from '../../server/src/stacks/stack-history.js';
import { StackPaths } from '../../server/src/stacks/stack-paths.js';
import { StackStore } from '../../server/src/stacks/stack-store.js';
import { summarize } from './stats.js';

const [stacksDir, dataDir, editStack] = process.argv.slice(2);
if (!stacksDir || !dataDir || !editStack)
  throw new Error('usage: watcher-probe <stacksDir> <dataDir> <stack>');
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();
const before = process.memoryUsage();
const t0 = performance.now();
const store = new StackStore(
  new StackPaths(stacksDir),
  new StackHistory(path.join(dataDir, 'history')),
  () => ({ problems: [], parsed: true }),
  silentLogger(),
);
await store.start();
const startMs = performance.now() - t0;
gc?.();
const after = process.memoryUsage();

const latencies: number[] = [];
const file = path.join(stacksDir, editStack, 'compose.yaml');
for (let i = 0; i < 20; i++) {
  const seen = new Promise<void>((resolve) => {
    const off = store.onChange((e) => {
      if (e.type === 'changed' && e.info.name === editStack) {
        off();
        resolve();
      }
    });
  });
  const t = performance.now();
  writeFileSync(file, `services:\n  s${i}:\n    image: busybox\n`);
  await seen;
  latencies.push(performance.now() - t);
}
await store.close();
process.stdout.write(
  JSON.stringify({
    stacks: store.list().length,
    startMs: Number(startMs.toFixed(1)),
    rssGrowthMB: Number(((after.rss - before.rss) / 2 ** 20).toFixed(1)),
    heapGrowthMB: Number(((after.heapUsed - before.heapUsed) / 2 ** 20).toFixed(2)),
    editToEventMs: summarize(latencies),
  }) + '\n',
);
