import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { requireDocker } from './engine.js';

export const CHROMIUM = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve('test-results');

/** Launches the machine's Chromium (playwright keeps a fresh temp profile); it never downloads a browser. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}; run \`sudo bash test/engine/provision.sh\``);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Browser tests run whenever Chromium exists; in CI its absence is a failure, not a skip. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (requireDocker || process.env.CI) throw new Error(`Chromium missing at ${CHROMIUM} in CI`);
  process.stderr.write(`\n!!! SKIPPING browser tests: no Chromium at ${CHROMIUM} !!!\n\n`);
  return false;
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
