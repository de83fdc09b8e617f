import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startBerth, waitForJob, type TestBerth } from '../helpers/berth.js';
import { browserAvailable, launchBrowser, openPage, shoot } from '../helpers/browser.js';
import { docker, engineGate } from '../helpers/engine.js';

const webRoot = path.resolve('dist/public');
const hasEngine = await engineGate();
const run = hasEngine && browserAvailable();

const STACK = `stats-e2e-${process.pid}`;
const COMPOSE = `services:
  spin:
    image: berth-test/busybox:latest
    command: ["sh", "-c", "while :; do :; done"]
    stop_signal: SIGKILL
    network_mode: none
  idle:
    image: berth-test/busybox:latest
    command: ["sleep", "3600"]
    stop_signal: SIGKILL
    network_mode: none
`;

/** How many samples a chart holds now (TimeChart exposes it for tests). */
const points = (page: Page, chart: string) =>
  page.locator(`[data-chart^="${chart}"]`).first().getAttribute('data-points').then(Number);

describe.runIf(run)('resource use in Chromium: dashboard and the resources tab', () => {
  let t: TestBerth;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  const encodings = new Map<string, string>();

  beforeAll(async () => {
    if (!existsSync(path.join(webRoot, 'index.html'))) throw new Error('run `npm run build:web` first');
    t = await startBerth({ overrides: { webRoot } });
    await t.agent.post('/api/stacks').send({ name: STACK, yaml: COMPOSE }).expect(201);
    const { body } = await t.agent.post(`/api/stacks/${STACK}/up`).expect(202);
    expect((await waitForJob(t.agent, body.jobId as string)).exitCode).toBe(0);
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser));
    page.on('response', (r) => {
      const url = new URL(r.url());
      if (url.pathname.startsWith('/assets/') && url.pathname.endsWith('.js'))
        encodings.set(url.pathname, r.headers()['content-encoding'] ?? 'identity');
    });
    await page.goto(t.url + '/login');
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(t.url + '/');
  });
  afterAll(async () => {
    await browser?.close();
    await docker(['compose', '-p', STACK, 'down', '-t', '0']).catch(() => '');
    await t?.close();
  });

  it('the scripts arrive brotli-compressed', () => {
    const main = [...encodings].find(([p]) => /\/index-[^/]+\.js$/.test(p));
    expect(main?.[1]).toBe('br');
  });

  it('the dashboard draws host charts that keep updating, the busiest stacks and the list figures', async () => {
    await expect.poll(() => points(page, 'Host CPU'), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const before = await points(page, 'Host CPU');
    await expect.poll(() => points(page, 'Host CPU'), { timeout: 10_000 }).toBeGreaterThan(before);
    expect(await page.locator('[data-chart="Host CPU"] canvas').count()).toBe(1);
    await expect.poll(() => page.getByTestId('host-cpu').innerText()).toMatch(/\d+\.\d %/);
    await expect.poll(() => page.getByTestId('top-cpu').innerText(), { timeout: 10_000 }).toContain(STACK);
    await expect.poll(() => page.locator(`[data-use="${STACK}"]`).innerText()).toMatch(/\d+ % · [\d.]+ \w+/);
    expect(await page.getByTestId('disks').innerText()).toContain(t.config.stacksDir);
    expect(await page.getByTestId('images').innerText()).toMatch(/\d+ \([\d.]+ \w+\)/);
    await shoot(page, 'dashboard');
  });

  it('the resources tab charts the stack per service and keeps updating; the list figures go away', async () => {
    await page.locator(`[data-stack="${STACK}"]`).click();
    await page.waitForURL(new RegExp(`/stacks/${STACK}$`));
    // Away from the dashboard nothing feeds the stack list's figures.
    await expect.poll(() => page.locator(`[data-use="${STACK}"]`).count()).toBe(0);
    await page.locator('[data-tab="resources"]').click();
    await expect.poll(() => points(page, 'CPU'), { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
    const before = await points(page, 'CPU');
    await expect.poll(() => points(page, 'CPU'), { timeout: 10_000 }).toBeGreaterThan(before);
    for (const chart of ['CPU', 'Memory', 'Network', 'Block IO'])
      expect(await page.locator(`[data-chart^="${chart}"] canvas`).count(), chart).toBe(1);
    const legend = await page.locator('[data-chart^="CPU"]').innerText();
    expect(legend).toContain('spin');
    expect(legend).toContain('stack total');
    await expect
      .poll(() => page.locator('[data-service="spin"] [data-field="cpu"]').innerText(), { timeout: 10_000 })
      .toMatch(/^[1-9]\d*\.\d %$/);
    await shoot(page, 'resources');
  });

  it('the services table shows current CPU and memory', async () => {
    await page.locator('[data-tab="services"]').click();
    await expect
      .poll(() => page.locator('[data-cpu="spin"]').innerText(), { timeout: 10_000 })
      .toMatch(/\d+\.\d %/);
    await expect.poll(() => page.locator('[data-mem="idle"]').innerText()).toMatch(/[\d.]+ (B|KiB|MiB)/);
    expect(errors).toEqual([]);
  });
});
