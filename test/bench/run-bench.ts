/**
 * `npm run bench`: runs every benchmark against the real engine and prints one JSON report
 * (also written to bench-report.json). Timings live here, never in the test suite.
 */
import { writeFileSync } from 'node:fs';
import { benchAccess } from './access-bench.js';
import { benchAgents } from './agents-bench.js';
import { benchConvert } from './convert-bench.js';
import { benchHealth } from './health-bench.js';
import { benchLogs } from './logs-bench.js';
import { benchRealtime } from './realtime-bench.js';
import { benchStats } from './stats-bench.js';
import { benchTerminals } from './terminal-bench.js';
import { benchUi } from './ui-bench.js';
import { benchVolumeBackup } from './volume-backup-bench.js';
import { benchWatcher } from './watcher-bench.js';

interface BenchResult {
  name: string;
  [metric: string]: unknown;
}

const all: Record<string, () => Promise<BenchResult>> = {
  health: benchHealth,
  watcher: benchWatcher,
  realtime: benchRealtime,
  terminals: benchTerminals,
  ui: benchUi,
  convert: benchConvert,
  stats: benchStats,
  'volume-backup': benchVolumeBackup,
  logs: benchLogs,
  access: benchAccess,
  agents: benchAgents,
};
// `npm run bench -- watcher realtime` runs a subset.
const wanted = process.argv.slice(2);
const benches = Object.entries(all)
  .filter(([name]) => wanted.length === 0 || wanted.includes(name))
  .map(([, fn]) => fn);

const report: { startedAt: string; node: string; results: BenchResult[] } = {
  startedAt: new Date().toISOString(),
  node: process.version,
  results: [],
};
for (const bench of benches) report.results.push(await bench());
const json = JSON.stringify(report, null, 2);
writeFileSync('bench-report.json', json + '\n');
process.stdout.write(json + '\n');
// Sockets and engine streams of the benches may linger; the report is written.
process.exit(0);
