import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
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

/** A page at 1280x800 that accepts dialogs (confirm) and collects uncaught page errors. */
export async function openPage(browser: Browser): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => void d.accept());
  return { page, errors };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}

/**
 * Full-page screenshots at 1280 and 375 px wide, into the artifacts folder. Throws when the page is
 * wider than the window (a horizontal scrollbar on a phone).
 */
export async function shoot(page: Page, name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 800 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: artifactPath(`${name}-${width}.png`), fullPage: true });
    const scrollWidth = Number(await page.evaluate('document.documentElement.scrollWidth'));
    if (scrollWidth > width)
      throw new Error(`page "${name}" is ${scrollWidth} px wide in a ${width} px window`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

/**
 * Replaces the whole text of a CodeMirror editor, as a paste would. `editor` is the editor's
 * accessible name, or its index among the page's editors.
 */
export async function setEditor(page: Page, text: string, editor: number | string = 0): Promise<void> {
  const content =
    typeof editor === 'number'
      ? page.locator('.cm-content').nth(editor)
      : page.locator(`.cm-content[aria-label="${editor}"]`);
  await content.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(text);
}
