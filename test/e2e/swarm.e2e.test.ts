import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startBerth, type TestBerth } from '../helpers/berth.js';
import { browserAvailable, launchBrowser, openPage, shoot } from '../helpers/browser.js';
import { engineGate, TEST_IMAGE } from '../helpers/engine.js';
import { startSwarmEngine, type SwarmTestEngine } from '../helpers/swarm-engine.js';

const webRoot = path.resolve('dist/public');
const hasEngine = await engineGate();
const run = hasEngine && browserAvailable();
const NAME = `swm-${process.pid}-ui`;

const YAML = `x-berth:
  target: swarm
services:
  web:
    image: ${TEST_IMAGE}
    command: ["sleep", "3600"]
    container_name: ignored-by-swarm
    deploy:
      replicas: 1
`;

async function login(page: Page, url: string): Promise<void> {
  await page.goto(url + '/login');
  await page.getByLabel('User name').fill(ADMIN.username);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForURL(url + '/');
}

describe.runIf(run)('swarm stacks in Chromium (private engine in swarm mode)', () => {
  let swarm: SwarmTestEngine;
  let t: TestBerth;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(webRoot, 'index.html'))) throw new Error('run `npm run build:web` first');
    swarm = await startSwarmEngine('swm-ui');
    t = await startBerth({ overrides: { webRoot }, config: { dockerHost: swarm.engine.host } });
    browser = await launchBrowser();
    ({ page, errors } = await openPage(browser));
    await login(page, t.url);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await swarm?.stop();
  }, 120_000);

  it('deploys a swarm stack after its preflight, scales it to 3 and shows the tasks', async () => {
    await t.agent.post('/api/stacks').send({ name: NAME, yaml: YAML }).expect(201);
    await page.goto(`${t.url}/stacks/${NAME}`);
    await page.locator('[data-tab="swarm"]').click();
    await page.getByTestId('swarm-preview').click();

    const preflight = page.getByTestId('swarm-preflight');
    await expect
      .poll(() => preflight.locator('[data-code="container_name"]').textContent())
      .toMatch(/line 7/);
    await preflight.getByRole('button', { name: /rendered file/ }).click();
    await expect.poll(() => page.getByTestId('swarm-rendered').textContent()).toContain('replicas: 1');
    await shoot(page, 'swarm-preflight');
    await page.getByTestId('swarm-deploy').click(); // "Deploy anyway": a warning needs confirming

    const web = page.locator('[data-service="web"]');
    await expect.poll(() => web.getByTestId('replicas').textContent(), { timeout: 60_000 }).toBe('1/1');
    await web.getByTestId('scale-input').fill('3');
    await web.getByTestId('scale-apply').click();
    await expect.poll(() => web.getByTestId('replicas').textContent(), { timeout: 60_000 }).toBe('3/3');
    await expect
      .poll(() => web.locator('tr[data-task-state="running"]').count(), { timeout: 60_000 })
      .toBe(3);
    // Each task names its node.
    const node = (await t.agent.get('/api/swarm').expect(200)).body.nodes[0].hostname as string;
    expect(await web.locator('tr[data-task-state="running"] td:nth-child(2)').first().textContent()).toBe(
      node,
    );
    await expect
      .poll(() => page.locator('.stack-head .badge').textContent(), { timeout: 30_000 })
      .toContain('running');
    await shoot(page, 'swarm-stack');
    expect(errors).toEqual([]);
  });

  it('the nodes page drains and activates the node', async () => {
    await page.getByTestId('nav-swarm').click();
    await page.waitForURL(/\/swarm$/);
    const row = page.locator('[data-testid="nodes"] tbody tr').first();
    await expect.poll(() => row.getByTestId('availability').textContent()).toBe('active');
    await shoot(page, 'swarm-nodes');
    await row.getByTestId('drain').click();
    await expect.poll(() => row.getByTestId('availability').textContent()).toBe('drain');
    await row.getByTestId('activate').click();
    await expect.poll(() => row.getByTestId('availability').textContent()).toBe('active');
    expect(errors).toEqual([]);
  });
});
