import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startBerth, type TestBerth } from '../helpers/berth.js';
import { startAgentProcess, type AgentProcess } from '../helpers/berth-process.js';
import { browserAvailable, launchBrowser, openPage, setEditor, shoot } from '../helpers/browser.js';
import { docker, engineGate } from '../helpers/engine.js';
import { tempDir } from '../helpers/factories.js';
import { startSecondEngine, type SecondEngine } from '../helpers/second-engine.js';

/*
 * One UI for all hosts (issue 19): a hub (in-process Berth on the shared engine, serving the built
 * SPA) and an agent (a real Berth process in agent mode on a second dockerd, with its own stacks
 * folder) enrolled through the Hosts page. The browser sees both hosts, deploys the agent's stack
 * with live output, opens a shell in it, filters by host, sees the host go offline and come back,
 * and removes it.
 */

const webRoot = path.resolve('dist/public');
const hasEngine = await engineGate();
const run = hasEngine && browserAvailable();

const NAME = `ui-${process.pid}`;
const HOST_NAME = `nas-${process.pid}`;
const WEB = `services:
  web:
    image: berth-test/busybox:latest
    command: sh -c 'echo hello from $$HOSTNAME; exec httpd -f -p 8080'
    stop_signal: SIGKILL
`;

const hostGroup = (page: Page, id: string) => page.locator(`[data-host-group="${id}"]`);
const remoteLink = (page: Page, id: string) => page.locator(`a[data-host="${id}"][data-stack="${NAME}"]`);

describe.runIf(run)('one UI for all hosts (hub + agent on a second engine)', () => {
  let t: TestBerth;
  let engine: SecondEngine;
  let browser: Browser;
  let page: Page;
  let errors: string[] = [];
  let agent: AgentProcess | null = null;
  let hostId = '';
  let enrollToken = '';
  const tmp = tempDir('berth-e2e-agent-');
  const agentStacks = path.join(tmp.dir, 'stacks');
  const agentData = path.join(tmp.dir, 'data');
  const agentEnv = () => ({
    DOCKER_HOST: engine.host,
    BERTH_STACKS_DIR: agentStacks,
    BERTH_DATA_DIR: agentData,
  });
  const agentLogTail = () =>
    (agent?.logs ?? [])
      .slice(-20)
      .map((e) => e.msg)
      .join('\n');
  const hostsOnHub = async () =>
    (await t.agent.get('/api/hosts').expect(200)).body as Array<{ id: string; online: boolean }>;

  beforeAll(async () => {
    if (!existsSync(path.join(webRoot, 'index.html'))) throw new Error('run `npm run build:web` first');
    engine = await startSecondEngine({
      tag: 'ui',
      // Compose networks of the second engine come from a pool no other engine uses.
      addressPools: [{ base: `10.215.${process.pid % 250}.0/24`, size: 28 }],
    });
    t = await startBerth({ overrides: { webRoot } });
    // The same stack name on both hosts: the UI must keep them apart.
    mkdirSync(path.join(t.config.stacksDir, NAME), { recursive: true });
    writeFileSync(path.join(t.config.stacksDir, NAME, 'compose.yaml'), WEB);
    mkdirSync(path.join(agentStacks, NAME), { recursive: true });
    mkdirSync(agentData, { recursive: true });
    writeFileSync(path.join(agentStacks, NAME, 'compose.yaml'), WEB);

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
    await agent?.kill('SIGKILL');
    // Removes the agent stack's containers and networks with the engine.
    await engine?.stop();
    await t?.close();
    tmp.cleanup();
  });

  it('adds a host on the Hosts page: the one-time command with its expiry', async () => {
    await page.getByTestId('nav-hosts').click();
    await page.waitForURL(/\/hosts$/);
    await expect.poll(() => page.locator('[data-host-row="local"]').count()).toBe(1);
    await page.getByLabel('Name').fill(HOST_NAME);
    await page.getByRole('button', { name: 'Add host' }).click();
    const command = (await page.getByTestId('enroll-command').textContent({ timeout: 10_000 })) ?? '';
    const m = /--hub (\S+) --enroll (\S+)/.exec(command);
    expect(m, command).not.toBeNull();
    expect(m?.[1]).toBe(t.url);
    enrollToken = m?.[2] ?? '';
    expect(await page.getByTestId('enroll-expiry').getAttribute('datetime')).toMatch(/^\d{4}-/);
    const hosts = await hostsOnHub();
    hostId = hosts.find((h) => h.id !== 'local')?.id ?? '';
    expect(hostId).toMatch(/^h_/);
    await expect
      .poll(() => page.locator(`[data-host-row="${hostId}"]`).textContent())
      .toMatch(new RegExp(`${HOST_NAME}[\\s\\S]*never`));
    await shoot(page, 'hosts-added');
  });

  it('the list shows both hosts, each with its state, and the agent stack apart from the local one', async () => {
    agent = startAgentProcess({ hubUrl: t.url, enrollToken, env: agentEnv() });
    await expect
      .poll(async () => (await hostsOnHub()).find((h) => h.id === hostId)?.online, {
        timeout: 60_000,
      })
      .toBe(true);
    await expect
      .poll(() => hostGroup(page, hostId).getByTestId('host-state').textContent(), { timeout: 15_000 })
      .toBe('online');
    expect(await hostGroup(page, 'local').getByTestId('host-state').textContent()).toBe('online');
    expect(await hostGroup(page, hostId).locator('.host-name').textContent()).toBe(HOST_NAME);
    await expect.poll(() => remoteLink(page, hostId).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.locator(`a[data-host="local"][data-stack="${NAME}"]`).count()).toBe(1);
    expect(await remoteLink(page, hostId).getAttribute('href')).toBe(`/hosts/${hostId}/stacks/${NAME}`);
    expect(await page.locator(`a[data-host="local"][data-stack="${NAME}"]`).getAttribute('href')).toBe(
      `/stacks/${NAME}`,
    );
    await shoot(page, 'hosts-list');
  });

  it('a remote stack deploys with live output; its containers run on the second engine', async () => {
    await remoteLink(page, hostId).click();
    await page.waitForURL(new RegExp(`/hosts/${hostId}/stacks/${NAME}$`));
    await expect.poll(() => page.getByTestId('stack-host').textContent()).toContain(HOST_NAME);
    await page.locator('[data-action="up"]').click();
    await page.locator('.xterm').first().scrollIntoViewIfNeeded();
    await expect
      .poll(() => page.locator('.xterm-rows').first().textContent(), { timeout: 60_000 })
      .toMatch(/Started/);
    await expect
      .poll(() => remoteLink(page, hostId).locator('.badge').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('running');
    // The local stack of the same name was not touched.
    expect(
      await page.locator(`a[data-host="local"][data-stack="${NAME}"] .badge`).getAttribute('data-status'),
    ).toBe('down');
    const label = `label=com.docker.compose.project=${NAME}`;
    expect(await engine.docker(['ps', '-q', '--filter', label])).not.toBe('');
    expect(await docker(['ps', '-aq', '--filter', label])).toBe('');
    await shoot(page, 'hosts-remote-stack');
  });

  it("follows the remote stack's logs", async () => {
    await page.locator('[data-tab="logs"]').click();
    await expect
      .poll(() => page.getByTestId('log-viewport').textContent(), { timeout: 20_000 })
      .toMatch(/hello from/);
  });

  it("saves the remote stack: the file changes on the agent's disk, not on the hub's", async () => {
    await page.locator('[data-tab="compose"]').click();
    const edited = `# saved through the hub\n${WEB}`;
    await setEditor(page, edited, 'compose file');
    await page.getByTestId('save').click();
    await expect.poll(() => page.getByTestId('dirty').count()).toBe(0);
    expect(readFileSync(path.join(agentStacks, NAME, 'compose.yaml'), 'utf8')).toBe(edited);
    expect(readFileSync(path.join(t.config.stacksDir, NAME, 'compose.yaml'), 'utf8')).toBe(WEB);
  });

  it('opens a shell in the remote container', async () => {
    await page.locator('[data-tab="services"]').click();
    await page.locator('[data-shell="web"]').click();
    await page.waitForURL(new RegExp(`/hosts/${hostId}/stacks/${NAME}/shell/web$`));
    await page.locator('.xterm').click();
    await page.keyboard.type('echo $((6*7))\n');
    await expect.poll(() => page.locator('.xterm-rows').textContent(), { timeout: 20_000 }).toMatch(/\b42\b/);
    await page.getByRole('link', { name: `← ${NAME}` }).click();
    await page.waitForURL(new RegExp(`/hosts/${hostId}/stacks/${NAME}$`));
  });

  it('the host filter shows one host and stays in the URL', async () => {
    await page.getByTestId('host-filter').selectOption(hostId);
    await page.waitForURL(new RegExp(`\\?host=${hostId}$`));
    await expect.poll(() => hostGroup(page, 'local').count()).toBe(0);
    expect(await hostGroup(page, hostId).count()).toBe(1);
    await page.reload();
    await expect.poll(() => remoteLink(page, hostId).count(), { timeout: 15_000 }).toBe(1);
    expect(await hostGroup(page, 'local').count()).toBe(0);
    expect(await page.getByTestId('host-filter').inputValue()).toBe(hostId);
    // "New" under the filter creates the stack on that host.
    const created = `${NAME}-new`;
    await page.getByTestId('new-stack').click();
    await page.waitForURL(new RegExp(`/stacks/new\\?host=${hostId}$`));
    expect(await page.getByTestId('new-stack-host').inputValue()).toBe(hostId);
    await page.getByLabel('Name').fill(created);
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(new RegExp(`/hosts/${hostId}/stacks/${created}\\?host=${hostId}$`));
    expect(existsSync(path.join(agentStacks, created, 'compose.yaml'))).toBe(true);
    expect(existsSync(path.join(t.config.stacksDir, created))).toBe(false);
    await remoteLink(page, hostId).click();
    await page.waitForURL(new RegExp(`/hosts/${hostId}/stacks/${NAME}\\?host=${hostId}$`));
    await page.getByTestId('host-filter').selectOption('');
    await expect.poll(() => hostGroup(page, 'local').count()).toBe(1);
  });

  it("the dashboard shows the agent machine's figures through the host picker", async () => {
    await page.locator('a.brand').click();
    await page.waitForURL(t.url + '/');
    await page.getByTestId('host-picker').selectOption(hostId);
    await page.waitForURL(new RegExp(`/\\?host=${hostId}$`));
    await expect.poll(() => page.locator('#host-title').textContent()).toBe(HOST_NAME);
    // Figures of the agent's machine, asked through its connection (getHost and a stats stream).
    await expect.poll(() => page.getByTestId('host-mem').textContent(), { timeout: 20_000 }).toMatch(/ of /);
    await expect.poll(() => page.getByTestId('host-cpu').textContent(), { timeout: 20_000 }).toMatch(/%/);
    await remoteLink(page, hostId).click();
    await page.waitForURL(new RegExp(`/hosts/${hostId}/stacks/${NAME}\\?host=${hostId}$`));
  });

  it('a host that goes away: its stacks read unknown, its page says so; it comes back by itself', async () => {
    // The stack page of the agent's stack is loaded.
    await page.locator('[data-action="up"]').waitFor();
    await agent?.kill('SIGKILL');
    await expect
      .poll(() => remoteLink(page, hostId).locator('.badge').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('unknown');
    await expect
      .poll(() => hostGroup(page, hostId).getByTestId('host-state').getAttribute('data-state'))
      .toBe('offline');
    await expect.poll(() => page.getByTestId('host-offline').count()).toBe(1);
    // Nothing can be asked of it meanwhile.
    expect(await page.locator('[data-action="up"]').isDisabled()).toBe(true);
    // The local host is fine: no engine banner.
    expect(await page.getByTestId('engine-banner').count()).toBe(0);
    await shoot(page, 'hosts-offline');

    // Restarted without a token: its key pair is its identity.
    agent = startAgentProcess({ hubUrl: t.url, env: agentEnv() });
    await expect
      .poll(() => hostGroup(page, hostId).getByTestId('host-state').textContent(), {
        timeout: 60_000,
      })
      .toBe('online');
    try {
      await expect
        .poll(() => remoteLink(page, hostId).locator('.badge').getAttribute('data-status'), {
          timeout: 20_000,
        })
        .toBe('running');
    } catch (err) {
      // Which side is stale: the agent's own answer (through the hub) against what the list shows.
      const live = await t.agent.get(`/api/hosts/${hostId}/stacks/${NAME}`);
      throw new Error(
        `${(err as Error).message}; the agent says ${live.status} ${JSON.stringify(live.body?.status)}; ` +
          `agent log: ${agentLogTail()}`,
      );
    }
    await expect.poll(() => page.getByTestId('host-offline').count()).toBe(0);
    // The action terminal is followed again on the agent that came back (a new process: its
    // scrollback began anew): a new action's output shows live.
    expect(await page.locator('[data-action="restart"]').isDisabled()).toBe(false);
    await page.locator('[data-action="restart"]').click();
    await page.locator('.xterm').first().scrollIntoViewIfNeeded();
    await expect
      .poll(() => page.locator('.xterm-rows').first().textContent(), { timeout: 30_000 })
      .toMatch(/restart[\s\S]*Started/);
  });

  it('removes the host on the Hosts page: its agent is cut off and its stacks leave the list', async () => {
    await page.getByTestId('nav-hosts').click();
    await page.waitForURL(/\/hosts$/);
    // The confirmation dialog is accepted by openPage().
    await page.locator(`[data-remove-host="${hostId}"]`).click();
    await expect.poll(() => page.locator(`[data-host-row="${hostId}"]`).count()).toBe(0);
    expect((await hostsOnHub()).map((h) => h.id)).toEqual(['local']);
    await expect.poll(() => remoteLink(page, hostId).count(), { timeout: 15_000 }).toBe(0);
    // A revoked agent stops by itself, with an error.
    const child = agent?.child;
    await expect
      .poll(() => child?.exitCode ?? child?.signalCode ?? 'running', {
        timeout: 30_000,
      })
      .not.toBe('running');
    expect(child?.exitCode, agentLogTail()).not.toBe(0);
    expect(errors).toEqual([]);
  });
});
