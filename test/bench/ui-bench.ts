import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ADMIN, startBerth } from '../helpers/berth.js';
import { launchBrowser } from '../helpers/browser.js';
import { tempDir } from '../helpers/factories.js';
import { round, summarize } from './stats.js';

const WEB_ROOT = path.resolve('dist/public');

/** The JS a first visit loads before any route chunk: the entry script and its modulepreloads. */
function initialJs(): { files: string[]; bytes: number; gzipBytes: number } {
  const html = readFileSync(path.join(WEB_ROOT, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
  let bytes = 0;
  let gzipBytes = 0;
  for (const f of files) {
    const buf = readFileSync(path.join(WEB_ROOT, f));
    bytes += buf.length;
    gzipBytes += gzipSync(buf, { level: 9 }).length;
  }
  return { files, bytes, gzipBytes };
}

/** Time from navigation start to 1000 stacks rendered in the list, logged in, headless Chromium. */
async function firstRender(): Promise<ReturnType<typeof summarize>> {
  const tmp = tempDir('berth-bench-ui-');
  const stacksDir = path.join(tmp.dir, 'stacks');
  for (let i = 0; i < 1000; i++) {
    const dir = path.join(stacksDir, `ui-${String(i).padStart(4, '0')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'compose.yaml'), 'services:\n  app:\n    image: busybox\n');
  }
  const t = await startBerth({ config: { stacksDir }, overrides: { webRoot: WEB_ROOT }, login: false });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(t.url + '/login');
    await page.getByLabel('User name').fill(ADMIN.username);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(t.url + '/');
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      await page.goto(t.url + '/');
      // Strings: this file is compiled without DOM types; the code runs in the page.
      await page.waitForFunction(
        'document.querySelectorAll(\'[data-testid="stack-list"] li\').length === 1000',
        undefined,
        {
          timeout: 30_000,
          polling: 'raf',
        },
      );
      samples.push(Number(await page.evaluate('performance.now()')));
    }
    return summarize(samples);
  } finally {
    await browser.close();
    await t.close();
    tmp.cleanup();
  }
}

export async function benchUi() {
  const js = initialJs();
  return {
    name: 'ui',
    initialJs: {
      files: js.files.length,
      kB: round(js.bytes / 1024, 1),
      gzipKB: round(js.gzipBytes / 1024, 1),
    },
    firstRenderOf1000StacksMs: await firstRender(),
    targets: { initialJsGzipKB: 150 },
  };
}
