import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { browserAvailable, launchBrowser, openPage, setEditor, shoot } from '../helpers/browser.js';
import { docker, engineGate } from '../helpers/engine.js';

const webRoot = path.resolve('dist/public');
const hasEngine = await engineGate();
const run = hasEngine && browserAvailable();

const NAME = `e2e-${process.pid}`;
const USER = { username: 'admin', password: 'a long e2e password' };
const WEB = `services:
  web:
    image: berth-test/busybox:latest
    command: httpd -f -p 8080
    stop_signal: SIGKILL
`;

const badge = (page: Page) => page.locator(`[data-stack="${NAME}"] .badge`);

describe.runIf(run)('a day with Berth in Chromium', () => {
  let t: TestBerth;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(webRoot, 'index.html'))) throw new Error('run `npm run build:web` first');
    t = await startBerth({
      login: false,
      overrides: { webRoot },
      config: { adminUser: undefined, adminPassword: undefined },
    });
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser));
  });
  afterAll(async () => {
    await browser?.close();
    await docker(['compose', '-p', NAME, 'down'], t.config.stacksDir).catch(() => '');
    await t?.close();
  });

  it('first run: setup, log out, log in', async () => {
    await page.goto(t.url + '/');
    await page.waitForURL(/\/setup$/);
    await shoot(page, 'setup');
    await page.getByLabel('User name').fill(USER.username);
    await page.getByLabel('Password', { exact: true }).fill(USER.password);
    await page.getByLabel('Repeat the password').fill(USER.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(t.url + '/');
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    await shoot(page, 'login');
    await page.getByLabel('User name').fill(USER.username);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(t.url + '/');
    await expect.poll(() => page.getByTestId('engine-version').textContent()).toMatch(/\d+\.\d+/);
    await shoot(page, 'home');
  });

  it('creates a stack, shows an inline problem, saves the fix', async () => {
    await page.getByTestId('new-stack').click();
    await page.waitForURL(/\/stacks\/new$/);
    await page.getByLabel('Name').fill('Bad Name');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toMatch(/lower-case/);
    await page.getByLabel('Name').fill(NAME);
    await setEditor(page, WEB);
    await shoot(page, 'new-stack');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(new RegExp(`/stacks/${NAME}$`));

    await setEditor(page, 'services:\n  web:\n    image: [unclosed\n');
    await expect.poll(() => page.getByTestId('problems').textContent(), { timeout: 5000 }).toMatch(/error/);
    expect(await page.locator('.cm-lintRange-error, .cm-lint-marker-error').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('dirty').count()).toBe(1);
    await setEditor(page, WEB.replace('8080', '8081'));
    await expect.poll(() => page.getByTestId('problems').count(), { timeout: 5000 }).toBe(0);
    await page.keyboard.press('Control+S');
    await expect.poll(() => page.getByTestId('dirty').count()).toBe(0);
    expect(readFileSync(path.join(t.config.stacksDir, NAME, 'compose.yaml'), 'utf8')).toContain('8081');
  });

  it('deploys with live output; the list shows running without a reload', async () => {
    await page.locator('[data-action="up"]').click();
    // xterm renders only while it is on screen.
    await page.locator('.xterm').first().scrollIntoViewIfNeeded();
    await expect
      .poll(() => page.locator('.xterm-rows').first().textContent(), { timeout: 30_000 })
      .toMatch(/Started/);
    await expect.poll(() => badge(page).getAttribute('data-status'), { timeout: 15_000 }).toBe('running');
    await shoot(page, 'stack');
  });

  it('opens a shell and runs echo $((6*7))', async () => {
    await page.locator('[data-tab="services"]').click();
    await page.locator('[data-shell="web"]').click();
    await page.waitForURL(new RegExp(`/stacks/${NAME}/shell/web$`));
    await page.locator('.xterm').click();
    await page.keyboard.type('echo $((6*7))\n');
    await expect.poll(() => page.locator('.xterm-rows').textContent(), { timeout: 15_000 }).toMatch(/\b42\b/);
    await shoot(page, 'shell');
    await page.getByRole('link', { name: `← ${NAME}` }).click();
  });

  it('stops the stack', async () => {
    await page.waitForURL(new RegExp(`/stacks/${NAME}$`));
    await page.locator('[data-action="stop"]').click();
    await expect.poll(() => badge(page).getAttribute('data-status'), { timeout: 15_000 }).toBe('exited');
  });

  it('notices an edit on disk, and a conflicting save shows the diff', async () => {
    const file = path.join(t.config.stacksDir, NAME, 'compose.yaml');
    writeFileSync(file, WEB.replace('8080', '8082'));
    await expect
      .poll(() => page.getByTestId('disk-notice').textContent(), { timeout: 5000 })
      .toMatch(/changed on disk/);

    await setEditor(page, WEB.replace('8080', '9000'));
    writeFileSync(file, WEB.replace('8080', '8083'));
    await expect
      .poll(() => page.getByTestId('disk-notice').textContent(), { timeout: 5000 })
      .toMatch(/while you were editing/);
    await page.getByTestId('save').click();
    await expect.poll(() => page.getByTestId('conflict').count()).toBe(1);
    // The diff view is a lazily loaded chunk: wait for it to render.
    await expect
      .poll(() => page.locator('[data-testid="conflict"] .cm-mergeView').count(), { timeout: 5000 })
      .toBeGreaterThan(0);
    await shoot(page, 'conflict');
    await page.getByTestId('keep-mine').click();
    await expect.poll(() => page.getByTestId('conflict').count()).toBe(0);
    await expect.poll(() => readFileSync(file, 'utf8')).toContain('9000');
    await expect.poll(() => page.getByTestId('dirty').count()).toBe(0);
  });

  it('deletes the stack into the trash', async () => {
    await page.locator('[data-action="delete"]').click();
    await page.waitForURL(t.url + '/', { timeout: 30_000 });
    await expect.poll(() => page.locator(`[data-stack="${NAME}"]`).count()).toBe(0);
    expect(readdirSync(path.join(t.config.stacksDir, '.trash')).some((d) => d.startsWith(NAME))).toBe(true);
    expect(errors).toEqual([]);
  });
});
