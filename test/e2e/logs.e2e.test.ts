import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startBerth, type TestBerth } from '../helpers/berth.js';
import { browserAvailable, launchBrowser, openPage, shoot } from '../helpers/browser.js';
import { docker, engineGate } from '../helpers/engine.js';

const webRoot = path.resolve('dist/public');
const hasEngine = await engineGate();
const run = hasEngine && browserAvailable();

const NAME = `e2e-logs-${process.pid}`;
// A tick every 0.2 s on stdout, every fifth with an error on stderr, some in colour.
const TICKER = `#!/bin/sh
i=0
while true; do
  i=$((i+1))
  printf 'tick %d \\033[36mcyan\\033[0m\\n' "$i"
  if [ $((i % 5)) = 0 ]; then echo "ERROR: boom $i" >&2; fi
  sleep 0.2
done
`;
const COMPOSE = `services:
  ticker:
    image: berth-test/busybox:latest
    command: ["sh", "/ticker.sh"]
    volumes: ["./ticker.sh:/ticker.sh:ro"]
    stop_signal: SIGKILL
    network_mode: none
`;

const rowTexts = (page: Page) => page.getByTestId('log-row').allInnerTexts();
const newestTick = async (page: Page): Promise<number> => {
  const ticks = (await rowTexts(page)).map((t) => Number(/tick (\d+)/.exec(t)?.[1] ?? 0));
  return Math.max(0, ...ticks);
};

describe.runIf(run)('logs in Chromium', () => {
  let t: TestBerth;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  let dir: string;

  beforeAll(async () => {
    if (!existsSync(path.join(webRoot, 'index.html'))) throw new Error('run `npm run build:web` first');
    t = await startBerth({ overrides: { webRoot } });
    dir = path.join(t.config.stacksDir, NAME);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'ticker.sh'), TICKER);
    writeFileSync(path.join(dir, 'compose.yaml'), COMPOSE);
    await docker(['compose', '-p', NAME, 'up', '-d'], dir);
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
    await docker(['compose', '-p', NAME, 'down', '-t', '0'], dir).catch(() => '');
    await t?.close();
  });

  it('opens the logs tab and sees live lines arrive, tagged and coloured', async () => {
    await page.goto(`${t.url}/stacks/${NAME}`);
    await page.locator('[data-tab="logs"]').click();
    await expect.poll(() => newestTick(page), { timeout: 15_000 }).toBeGreaterThan(0);
    const first = await newestTick(page);
    await expect.poll(() => newestTick(page), { timeout: 10_000 }).toBeGreaterThan(first + 2);
    const row = page.getByTestId('log-row').filter({ hasText: 'tick' }).last();
    expect(await row.locator('.svc').innerText()).toBe('ticker');
    // ANSI cyan is rendered as a coloured span, the escape codes are gone.
    expect(await row.innerText()).not.toContain('[36m');
    expect(await row.locator('span[style*="color"]', { hasText: 'cyan' }).count()).toBe(1);
    const err = page.getByTestId('log-row').filter({ hasText: 'ERROR: boom' }).last();
    await expect.poll(() => err.count(), { timeout: 10_000 }).toBe(1);
    expect(await err.locator('.lvl').innerText()).toMatch(/error/i);
    expect(await err.locator('.mark').innerText()).toBe('E');
    await shoot(page, 'logs-tab');
  });

  it('searches: filter to matches, then highlight without hiding context', async () => {
    await page.getByTestId('log-search').fill('boom');
    await expect
      .poll(async () => {
        const texts = await rowTexts(page);
        return texts.length > 0 && texts.every((x) => x.includes('boom'));
      })
      .toBe(true);
    await page.getByTestId('log-highlight').check();
    await expect.poll(async () => (await rowTexts(page)).some((x) => x.includes('tick'))).toBe(true);
    expect(await page.locator('.log-row .match').first().innerText()).toBe('boom');
    await page.getByTestId('log-highlight').uncheck();
    await page.getByTestId('log-search').fill('');
  });

  it('pauses: lines wait and are counted, resume shows them', async () => {
    await page.getByTestId('log-pause').click();
    const frozen = await newestTick(page);
    await expect
      .poll(
        async () => Number(/(\d+) waiting/.exec(await page.getByTestId('log-waiting').innerText())?.[1]),
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThan(3);
    expect(await newestTick(page)).toBe(frozen);
    await page.getByTestId('log-resume').click();
    await expect.poll(() => newestTick(page), { timeout: 10_000 }).toBeGreaterThan(frozen + 3);
  });

  it('downloads the last lines as a text file', async () => {
    await page.getByTestId('log-download').click();
    await page.getByTestId('log-download-dialog').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('dl-go').click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${NAME}-logs-.*\\.log$`));
    const file = await download.path();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.at(-1)).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z ticker e2e-logs-\d+-ticker-1 std(out|err) \| /);
    expect(lines.some((l) => l.includes('stderr | ERROR: boom'))).toBe(true);
  });

  it('opens the full-window logs page', async () => {
    await page.getByRole('link', { name: 'Full window' }).click();
    await page.waitForURL(new RegExp(`/stacks/${NAME}/logs$`));
    await expect.poll(() => newestTick(page), { timeout: 15_000 }).toBeGreaterThan(0);
    await shoot(page, 'logs-page');
    expect(errors).toEqual([]);
  });
});
