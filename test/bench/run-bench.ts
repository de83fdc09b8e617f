/**
 * `npm run bench`: runs every benchmark against the real engine and prints one JSON report
 * (also written to bench-report.json). Timings live here, never in the test suite.
 */
import { writeFileSync } from 'node:fs';
import { benchHealth } from './health-bench.js';

interface BenchResult {
  name: string;
  [metric: string]: unknown;
}

const benches: Array<() => Promise<BenchResult>> = [benchHealth];

const report: { startedAt: string; node: string; results: BenchResult[] } = {
  startedAt: new Date().toISOString(),
  node: process.version,
  results: [],
};
for (const bench of benches) report.results.push(await bench());
const json = JSON.stringify(report, null, 2);
writeFileSync('bench-report.json', json + '\n');
process.stdout.write(json + '\n');
