import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startBerth, type TestBerth } from '../helpers/berth.js';
import { browserAvailable, launchBrowser, openPage, shoot } from '../helpers/browser.js';
import { docker, engineGate, TEST_IMAGE } from '../helpers/engine.js';

const webRoot = path.resolve('dist/public');
const hasEngine = await engineGate();
const run = hasEngine && browserAvailable();

const NAME = `usr-${process.pid}-web`;
const OPERATOR = { username: `usr-${process.pid}-op`, password: 'an operator password' };
const WEB = `services:\n  web:\n    image: ${TEST_IMAGE}\n    command: httpd -f -p 8080\n    stop_signal: SIGKILL\n`;

describe.runIf(run)('an admin invites an operator, who deploys but cannot edit', () => {
  let t: TestBerth;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  let inviteUrl = '';

  beforeAll(async () => {
    if (!existsSync(path.join(webRoot, 'index.html'))) throw new Error('run `npm run build:web` first');
    t = await startBerth({ overrides: { webRoot } });
    await t.agent
      .post('/api/stacks')
      .send({ name: NAME, yaml: WEB, env: 'SECRET=s3cr3t-value\n' })
      .expect(201);
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser));
  });
  afterAll(async () => {
    await browser?.close();
    await docker(['compose', '-p', NAME, 'down'], t.config.stacksDir).catch(() => '');
    await t?.close();
  });

  it('the admin creates an operator with an invite link', async () => {
    await page.goto(`${t.url}/login`);
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(t.url + '/');
    await page.getByTestId('nav-users').click();
    await page.waitForURL(/\/users$/);
    await page.getByLabel('User name').fill(OPERATOR.username);
    await page.getByLabel('Role', { exact: true }).selectOption('operator');
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.getByTestId('invite-url').count(), { timeout: 10_000 }).toBe(1);
    inviteUrl = (await page.getByTestId('invite-url').textContent()) ?? '';
    expect(inviteUrl).toMatch(/\/invite#[A-Za-z0-9_-]{43}$/);
    await expect
      .poll(() => page.locator(`[data-user="${OPERATOR.username}"]`).textContent())
      .toMatch(/invited/);
    await shoot(page, 'users');
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
  });

  it('the operator sets a password through the invite and is logged in; logs out and in again', async () => {
    await page.goto(inviteUrl);
    await page.getByLabel('Password', { exact: true }).fill(OPERATOR.password);
    await page.getByLabel('Repeat the password').fill(OPERATOR.password);
    await shoot(page, 'invite');
    await page.getByRole('button', { name: 'Set password and log in' }).click();
    await page.waitForURL(t.url + '/');
    await page.getByTestId('logout').click();
    await page.waitForURL(/\/login/);
    await page.getByLabel('User name').fill(OPERATOR.username);
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(t.url + '/');
    // No admin pages for an operator, and no way to create a stack.
    expect(await page.getByTestId('nav-users').count()).toBe(0);
    expect(await page.getByTestId('new-stack').count()).toBe(0);
  });

  it('the operator sees no edit controls and masked .env values, and deploys', async () => {
    await page.locator(`[data-stack="${NAME}"]`).click();
    await page.waitForURL(new RegExp(`/stacks/${NAME}$`));
    await expect.poll(() => page.locator('[data-action="up"]').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('save').count()).toBe(0);
    expect(await page.locator('[data-action="delete"]').count()).toBe(0);
    const compose = page.locator('.cm-content[aria-label="compose file"]');
    expect(await compose.getAttribute('aria-readonly')).toBe('true');
    // Typing changes nothing: the editor is read-only for an operator.
    await compose.click();
    await page.keyboard.type('x: 1');
    expect(await compose.textContent()).not.toContain('x: 1');
    expect(await page.getByTestId('dirty').count()).toBe(0);
    await page.locator('[data-tab="env"]').click();
    await expect
      .poll(() => page.locator('.cm-content[aria-label=".env file"]').textContent())
      .toContain('SECRET=••••••');
    expect(await page.locator('.cm-content[aria-label=".env file"]').textContent()).not.toContain('s3cr3t');
    await page.locator('[data-tab="compose"]').click();

    await page.locator('[data-action="up"]').click();
    await expect
      .poll(() => page.locator(`[data-stack="${NAME}"] .badge`).getAttribute('data-status'), {
        timeout: 30_000,
      })
      .toBe('running');
    await shoot(page, 'operator-stack');
    // The shell is the operator's too.
    await page.locator('[data-tab="services"]').click();
    await expect.poll(() => page.locator('[data-shell="web"]').count(), { timeout: 10_000 }).toBe(1);

    const audit = await t.agent.get('/api/audit').query({ user: OPERATOR.username }).expect(200);
    expect(audit.body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ operation: 'runAction:up', target: NAME, status: 202 }),
      ]),
    );
    expect(errors).toEqual([]);
  });
});
