import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startBerth, waitForJob, type TestBerth } from '../helpers/berth.js';
import { browserAvailable, launchBrowser, openPage, shoot } from '../helpers/browser.js';
import { docker, engineGate, TEST_IMAGE } from '../helpers/engine.js';

const webRoot = path.resolve('dist/public');
const hasEngine = await engineGate();
const run = hasEngine && browserAvailable();

const VOL = `res-e2e-${process.pid}`;
const USER = `res-e2e-${process.pid}-user`;
const STACK = `res-e2e-${process.pid}-s`;

async function inVolume(script: string): Promise<string> {
  return docker(['run', '--rm', '--network', 'none', '-v', `${VOL}:/v`, TEST_IMAGE, 'sh', '-c', script]);
}

describe.runIf(run)('resource pages in Chromium: volumes, backup with live progress, restore', () => {
  let t: TestBerth;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(webRoot, 'index.html'))) throw new Error('run `npm run build:web` first');
    await docker(['volume', 'create', VOL]);
    await inVolume(
      'dd if=/dev/urandom of=/v/blob bs=1M count=80 2>/dev/null; echo keep > /v/note; chmod 600 /v/note',
    );
    await docker([
      'run',
      '-d',
      '--name',
      USER,
      '--network',
      'none',
      '-v',
      `${VOL}:/data`,
      TEST_IMAGE,
      'sleep',
      '3600',
    ]);
    t = await startBerth({ overrides: { webRoot } });
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser));
    await page.goto(t.url + '/login');
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(t.url + '/');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await docker(['compose', '-p', STACK, 'down'], t?.config.stacksDir).catch(() => '');
    await docker(['rm', '-f', USER]).catch(() => undefined);
    await docker(['volume', 'rm', '-f', VOL]).catch(() => undefined);
    await t?.close();
  });

  it('lists the volume with its user, backs it up with live progress, restores it', async () => {
    await page.getByTestId('nav-volumes').click();
    await page.waitForURL(/\/volumes$/);
    const row = page.locator(`tr[data-volume="${VOL}"]`);
    await expect.poll(() => row.textContent()).toContain(USER);

    await row.getByTestId('backups').click();
    const panel = page.locator(`[data-backups="${VOL}"]`);
    await expect.poll(() => panel.textContent()).toContain('No backups yet');
    await panel.getByTestId('backup-now').click();
    // The progress line moves while the job runs: bytes from the socket's volume:job events.
    const progress = panel.getByTestId('job-progress');
    await expect
      .poll(() => progress.textContent(), { timeout: 30_000 })
      .toMatch(/Backing up · copying · [1-9][\d.]* (KB|MB)/);
    await shoot(page, 'volumes');
    await expect.poll(() => panel.locator('tr[data-backup]').count(), { timeout: 120_000 }).toBe(1);
    await expect.poll(() => progress.count()).toBe(0);

    await inVolume('rm -f /v/blob; echo changed > /v/note; echo stray > /v/stray');
    const before = await docker(['inspect', '-f', '{{.State.StartedAt}}', USER]);
    await panel.getByTestId('restore').click(); // the confirm dialog is accepted
    await expect
      .poll(() => progress.textContent(), { timeout: 30_000 })
      .toMatch(/Restoring · (stopping|emptying|copying|starting)/);
    await expect.poll(() => progress.count(), { timeout: 120_000 }).toBe(0);
    await expect.poll(() => page.locator('.toast').last().textContent()).toContain('Restore of');
    expect(await inVolume('ls /v; cat /v/note; stat -c %a /v/note; stat -c %s /v/blob')).toBe(
      ['blob', 'note', 'keep', '600', String(80 * 1024 * 1024)].join('\n'),
    );
    expect(await docker(['inspect', '-f', '{{.State.Running}}', USER])).toBe('true');
    expect(await docker(['inspect', '-f', '{{.State.StartedAt}}', USER])).not.toBe(before);
    expect(errors).toEqual([]);
  }, 300_000);

  it('shows the images and networks pages', async () => {
    await page.getByTestId('nav-images').click();
    await page.waitForURL(/\/images$/);
    await expect.poll(() => page.locator('tr[data-image]').count()).toBeGreaterThan(0);
    await page.getByTestId('prune-dangling').click();
    await expect
      .poll(() => page.getByTestId('prune-preview').textContent())
      .toContain('Pruning dangling images');
    await shoot(page, 'images');
    await page.getByTestId('nav-networks').click();
    await page.waitForURL(/\/networks$/);
    await expect.poll(() => page.locator('tr[data-network="host"]').count()).toBe(1);
    await shoot(page, 'networks');
    expect(errors).toEqual([]);
  });

  it('inspects one container of a stack (environment masked until asked) and stops it', async () => {
    const yaml = [
      'services:',
      '  app:',
      `    image: ${TEST_IMAGE}`,
      '    command: ["sleep", "3600"]',
      '    environment:',
      '      API_TOKEN: s3cret-value',
      '    network_mode: none',
      '',
    ].join('\n');
    await t.agent.post('/api/stacks').send({ name: STACK, yaml }).expect(201);
    const up = await t.agent.post(`/api/stacks/${STACK}/up`).expect(202);
    const job = await waitForJob(t.agent, up.body.jobId as string);
    expect(job.exitCode, job.output).toBe(0);

    await page.goto(`${t.url}/stacks/${STACK}`);
    await page.locator('[data-tab="services"]').click();
    await page.locator('[data-inspect="app"]').click();
    const panel = page.locator('[data-container-panel]');
    await expect.poll(() => panel.textContent()).toContain('API_TOKEN=••••');
    expect(await panel.textContent()).not.toContain('s3cret-value');
    await panel.getByTestId('reveal-env').check();
    await expect.poll(() => panel.textContent()).toContain('API_TOKEN=s3cret-value');
    await panel.locator('[data-action="stop"]').click();
    await expect.poll(() => panel.textContent(), { timeout: 30_000 }).toMatch(/State\s*exited/);
    await shoot(page, 'container-inspect');
    expect(errors).toEqual([]);
  }, 120_000);
});
