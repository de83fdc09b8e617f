import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startBerth, type TestBerth } from '../helpers/berth.js';
import { artifactPath, browserAvailable, launchBrowser } from '../helpers/browser.js';
import { docker, engineGate } from '../helpers/engine.js';

const webRoot = path.resolve('dist/public');
const hasEngine = await engineGate();
const run = hasEngine && browserAvailable();

describe.runIf(run)('the SPA in Chromium', () => {
  let t: TestBerth;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(path.join(webRoot, 'index.html'))) {
      throw new Error('dist/public is missing: run `npm run build:web` before the browser tests');
    }
    t = await startBerth({ overrides: { webRoot }, login: false });
    base = t.url;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('sends a visitor to login, then back, and shows the engine version', async () => {
    const expected = await docker(['version', '--format', '{{.Server.Version}}']);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + '/');
    await page.waitForURL(/\/login\?redirect=/);
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(base + '/');
    await expect.poll(() => page.getByTestId('engine-version').textContent()).toBe(expected);
    expect(await page.getByTestId('engine-status').textContent()).toContain('reachable');
    await page.screenshot({ path: artifactPath('health-1280.png') });
    expect(errors).toEqual([]);
  });

  it('serves the SPA for deep links (history fallback) and returns there after login', async () => {
    const page = await browser.newPage();
    const res = await page.goto(base + '/some/deep/link');
    expect(res?.status()).toBe(200);
    await page.waitForURL(/\/login\?redirect=/);
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(base + '/some/deep/link');
    await expect.poll(() => page.getByRole('heading', { name: 'Not found' }).count()).toBe(1);
  });
});
