import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerEngineClient } from '../../server/src/engine/engine-client.js';
import { ADMIN, startBerth, waitForJob, type TestBerth } from '../helpers/berth.js';
import { browserAvailable, launchBrowser, openPage, setEditor, shoot } from '../helpers/browser.js';
import { docker, engineGate } from '../helpers/engine.js';

const webRoot = path.resolve('dist/public');
const hasEngine = await engineGate();
const run = hasEngine && browserAvailable();

const CONVERTED = `e2e-conv-${process.pid}`;
const SICK = `e2e-sick-${process.pid}`;

async function login(page: Page, url: string): Promise<void> {
  await page.goto(url + '/login');
  await page.getByLabel('User name').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(url + '/');
}

const editorText = (page: Page) => page.locator('.cm-content').first().innerText();

describe.runIf(run)(
  'more of Berth in Chromium: converter, .env, history, health, theme, engine banner',
  () => {
    let t: TestBerth;
    let browser: Browser;
    let page: Page;
    let errors: string[] = [];

    beforeAll(async () => {
      if (!existsSync(path.join(webRoot, 'index.html'))) throw new Error('run `npm run build:web` first');
      t = await startBerth({ overrides: { webRoot } });
      browser = await launchBrowser();
      ({ page, errors } = await openPage(browser));
      await login(page, t.url);
    });
    afterAll(async () => {
      await browser?.close();
      for (const p of [CONVERTED, SICK])
        await docker(['compose', '-p', p, 'down'], t.config.stacksDir).catch(() => '');
      await t?.close();
    });

    it('converts a pasted docker run into a new stack, then merges a second one into it', async () => {
      await page.getByTestId('nav-convert').click();
      await page.waitForURL(/\/convert$/);
      const box = page.getByLabel('docker run command(s)');
      await box.fill('echo hello');
      await expect
        .poll(() => page.getByTestId('convert-error').textContent(), { timeout: 5000 })
        .toMatch(/docker run/);

      await box.fill(
        [
          'sudo docker run -d --name cache \\',
          "  -e 'PASSWORD=pa$word' \\",
          '  --rm \\',
          '  berth-test/busybox:latest sleep 3600  # from a README',
        ].join('\n'),
      );
      await expect
        .poll(() => page.getByTestId('convert-warnings').textContent(), { timeout: 5000 })
        .toMatch(/--rm/);
      await expect.poll(() => editorText(page), { timeout: 5000 }).toMatch(/cache:/);
      expect(await editorText(page)).toContain('pa$$word');
      await page.locator('#target-name').fill(CONVERTED);
      await shoot(page, 'convert');
      await page.getByTestId('convert-apply').click();
      await page.waitForURL(new RegExp(`/stacks/${CONVERTED}$`));
      const file = path.join(t.config.stacksDir, CONVERTED, 'compose.yaml');
      const created = readFileSync(file, 'utf8');
      expect(created).toMatch(/PASSWORD: .*pa\$\$word/);

      // A comment written by hand must survive the merge; the clashing name is renamed.
      writeFileSync(file, `# notes kept by hand\n${created}`);
      await page.getByTestId('nav-convert').click();
      await page.waitForURL(/\/convert$/);
      await page
        .getByLabel('docker run command(s)')
        .fill('docker run --name cache -p 8099:80 berth-test/busybox:latest');
      await page.getByLabel('an existing stack').check();
      await page.locator('#target-stack').selectOption(CONVERTED);
      await expect
        .poll(() => editorText(page), { timeout: 5000 })
        .toMatch(/# notes kept by hand[\s\S]*cache-2:/);
      await page.getByTestId('convert-apply').click();
      await page.waitForURL(new RegExp(`/stacks/${CONVERTED}$`));
      const merged = readFileSync(file, 'utf8');
      expect(merged.startsWith('# notes kept by hand\n')).toBe(true);
      expect(merged).toMatch(/^ {2}cache:$/m);
      expect(merged).toMatch(/^ {2}cache-2:$/m);
      expect(merged).toContain('8099:80');
    });

    it('saves the .env tab, and restores an earlier version from history', async () => {
      const dir = path.join(t.config.stacksDir, CONVERTED);
      const before = readFileSync(path.join(dir, 'compose.yaml'), 'utf8');
      await page.locator('[data-tab="env"]').click();
      await setEditor(page, 'GREETING=hello\n', '.env file');
      await page.keyboard.press('Control+S');
      await expect.poll(() => page.getByTestId('dirty').count()).toBe(0);
      expect(readFileSync(path.join(dir, '.env'), 'utf8')).toBe('GREETING=hello\n');
      expect(readFileSync(path.join(dir, 'compose.yaml'), 'utf8')).toBe(before);

      await page.locator('[data-tab="history"]').click();
      // Newest first; the oldest entry is the file as the converter first wrote it (before the merge).
      const entries = page.locator('.history li button');
      await expect.poll(() => entries.count(), { timeout: 5000 }).toBeGreaterThanOrEqual(2);
      await entries.last().click();
      await expect
        .poll(() => page.locator('.history .cm-mergeView').count(), { timeout: 5000 })
        .toBeGreaterThan(0);
      await shoot(page, 'history');
      await page.getByRole('button', { name: 'Restore this version' }).click();
      await expect
        .poll(() => readFileSync(path.join(dir, 'compose.yaml'), 'utf8'), { timeout: 5000 })
        .not.toContain('cache-2');
      // The version that was current went to history first: restoring lost nothing.
      const list = await t.agent.get(`/api/stacks/${CONVERTED}/history`).expect(200);
      const versions = await Promise.all(
        (list.body as Array<{ id: string }>).map(async (h) =>
          String((await t.agent.get(`/api/stacks/${CONVERTED}/history/${h.id}`).expect(200)).body.yaml),
        ),
      );
      expect(versions).toContain(before);
    });

    it('marks a stack whose container fails its healthcheck as unhealthy, live', async () => {
      const yaml = `services:
  sick:
    image: berth-test/busybox:latest
    command: sleep 3600
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      timeout: 1s
      retries: 1
`;
      await t.agent.post('/api/stacks').send({ name: SICK, yaml }).expect(201);
      const up = await t.agent.post(`/api/stacks/${SICK}/up`).expect(202);
      expect((await waitForJob(t.agent, up.body.jobId)).state).toBe('succeeded');
      const badge = page.locator(`[data-stack="${SICK}"] .badge`);
      await expect.poll(() => badge.getAttribute('class'), { timeout: 20_000 }).toMatch(/badge-unhealthy/);
      expect(await badge.textContent()).toMatch(/unhealthy/i);
    });

    it('switches the theme and keeps the choice across a reload', async () => {
      await page.goto(t.url + '/settings');
      const theme = () => page.locator('html').getAttribute('data-theme');
      await page.getByLabel('Theme').selectOption('dark');
      await expect.poll(theme).toBe('dark');
      await page.reload();
      await expect.poll(theme).toBe('dark');
      await shoot(page, 'settings-dark');
      await page.getByLabel('Theme').selectOption('light');
      await expect.poll(theme).toBe('light');
      await page.getByLabel('Theme').selectOption('system');
      await expect.poll(theme).toBeNull();
      expect(errors).toEqual([]);
    });

    it('says so when the Docker engine cannot be reached', async () => {
      const dead = await startBerth({
        overrides: { webRoot, engine: new DockerEngineClient({ host: '127.0.0.1', port: 1 }) },
      });
      const { page: other } = await openPage(browser);
      try {
        await login(other, dead.url);
        await expect
          .poll(() => other.getByTestId('engine-banner').textContent(), { timeout: 10_000 })
          .toMatch(/cannot be reached/);
      } finally {
        await other.close();
        await dead.close();
      }
    });
  },
);
