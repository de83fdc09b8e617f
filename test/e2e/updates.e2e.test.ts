import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startBerth, waitForJob, type TestBerth } from '../helpers/berth.js';
import { browserAvailable, launchBrowser, openPage, shoot } from '../helpers/browser.js';
import { docker, engineGate } from '../helpers/engine.js';
import { TestRegistry } from '../helpers/registry.js';
import { buildVersion, pushAs, removeImages } from '../helpers/update-images.js';

const webRoot = path.resolve('dist/public');
const hasEngine = await engineGate();
const run = hasEngine && browserAvailable();
const prefix = `upd-${process.pid}`;
const STACK = `${prefix}-e2e`;

describe.runIf(run)('image updates in Chromium: badge, update from the stack page, history', () => {
  let t: TestBerth;
  let reg: TestRegistry;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(webRoot, 'index.html'))) throw new Error('run `npm run build:web` first');
    reg = await new TestRegistry({ bearer: true }).start();
    ids.push(await buildVersion(`${prefix}-e2e:v1`, 'v1'), await buildVersion(`${prefix}-e2e:v2`, 'v2'));
    await pushAs(`${prefix}-e2e:v1`, `${reg.direct}/${prefix}/web:latest`);
    t = await startBerth({ config: { updateIntervalMs: 0 }, overrides: { webRoot, updateSettleMs: 1500 } });
    const yaml = `services:\n  web:\n    image: ${reg.host}/${prefix}/web:latest\n    stop_grace_period: 1s\n`;
    await t.agent.post('/api/stacks').send({ name: STACK, yaml }).expect(201);
    const up = await t.agent.post(`/api/stacks/${STACK}/up`).expect(202);
    expect((await waitForJob(t.agent, up.body.jobId, 120_000)).state).toBe('succeeded');
    await pushAs(`${prefix}-e2e:v2`, `${reg.direct}/${prefix}/web:latest`);
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser));
    await page.goto(t.url + '/login');
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(t.url + '/');
  });

  afterAll(async () => {
    await browser?.close();
    await docker(['compose', '-p', STACK, 'down', '--timeout', '1'], t?.config.stacksDir).catch(() => '');
    await t?.close();
    const tags = (await docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n');
    await removeImages([
      ...tags.filter((x) => x.includes(`/${prefix}/web:`) || x.startsWith(`${prefix}-e2e:`)),
      ...ids,
    ]);
    await reg?.stop();
  });

  it('"Check now" on the dashboard puts an update badge on the stack', async () => {
    const badge = page.locator(`[data-stack="${STACK}"] [data-testid="update-badge"]`);
    expect(await badge.count()).toBe(0);
    await page.getByTestId('check-all').click();
    await expect.poll(() => badge.getAttribute('aria-label'), { timeout: 30_000 }).toBe('1 update');
    expect(await badge.textContent()).toBe('↑1');
    await expect
      .poll(() => page.getByTestId('updates-summary').textContent())
      .toContain(`1 stack has updates: ${STACK}`);
    await shoot(page, 'updates-dashboard');
  });

  it('updates from the stack page; the history tab shows the entry and the badge goes away', async () => {
    await page.locator(`[data-stack="${STACK}"]`).click();
    await page.waitForURL(new RegExp(`/stacks/${STACK}$`));
    await page.locator('[data-tab="services"]').click();
    await expect.poll(() => page.locator('[data-update="web"]').textContent()).toContain('update-available');
    await page.locator('[data-action="update"]').click();
    await page.locator('[data-tab="updates"]').click();
    const entry = page.locator('[data-testid="update-history"] li[data-result="updated"]');
    await expect.poll(() => entry.count(), { timeout: 90_000 }).toBe(1);
    expect(await entry.textContent()).toMatch(/admin/);
    expect(await entry.textContent()).toMatch(/web: [0-9a-f]{12} → [0-9a-f]{12}/);
    await expect
      .poll(() => page.locator(`[data-stack="${STACK}"] [data-testid="update-badge"]`).count(), {
        timeout: 30_000,
      })
      .toBe(0);
    await entry.getByRole('button').click();
    await expect.poll(() => entry.locator('pre').textContent()).toContain('[update done: updated web');
    await shoot(page, 'updates-history');
    expect(errors).toEqual([]);
  });
});
