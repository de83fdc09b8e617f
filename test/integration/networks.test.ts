import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetworkList, NetworkSummary } from '../../common/resources.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { engineGate, TEST_IMAGE } from '../helpers/engine.js';
import { startSecondEngine, type SecondEngine } from '../helpers/second-engine.js';

const hasEngine = await engineGate();
// Bridges of the second engine appear on the host: subnets of our own, apart from other runs.
const A = 200 + (process.pid % 50);
const B = Math.floor(process.pid / 50) % 250;
const POOL = `10.${A}.${B}.0/24`;
const net = (k: number) => `10.${A}.${B + k}`;

// Pool exhaustion is engine-wide: a private dockerd with a pool of 16 /28 blocks.
describe.runIf(hasEngine)('networks on a second engine with a small address pool', () => {
  let e: SecondEngine;
  let t: TestBerth;

  beforeAll(async () => {
    e = await startSecondEngine({ tag: 'net', addressPools: [{ base: POOL, size: 28 }] });
    t = await startBerth({
      overrides: { engine: e.client() },
      config: { dockerDaemonConfig: e.daemonConfig },
    });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await e?.stop();
  });

  const list = async () => (await t.agent.get('/api/networks').expect(200)).body as NetworkList;

  it('reads the pools from daemon.json and starts without a warning', async () => {
    const { pools, networks } = await list();
    expect(pools).toMatchObject({ source: 'daemon.json', capacity: 16, used: 0, warning: null });
    expect(
      networks
        .filter((n) => n.builtIn)
        .map((n) => n.name)
        .sort(),
    ).toEqual(['bridge', 'host', 'none']);
  });

  it('creates bridge networks (pool and explicit subnet), lists attachments, removes unused ones', async () => {
    const a = (await t.agent.post('/api/networks').send({ name: 'res-a' }).expect(201))
      .body as NetworkSummary;
    expect(a).toMatchObject({ name: 'res-a', driver: 'bridge', builtIn: false, containers: [] });
    expect(a.subnets[0]?.subnet).toMatch(new RegExp(`^${net(0).replace(/\./g, '\\.')}\\.\\d+/28$`));
    const b = (
      await t.agent
        .post('/api/networks')
        .send({ name: 'res-b', subnet: `${net(1)}.0/24`, gateway: `${net(1)}.254`, internal: true })
        .expect(201)
    ).body as NetworkSummary;
    expect(b).toMatchObject({
      internal: true,
      subnets: [{ subnet: `${net(1)}.0/24`, gateway: `${net(1)}.254` }],
    });
    await t.agent.post('/api/networks').send({ name: 'res-a' }).expect(409);
    await t.agent.post('/api/networks').send({ name: 'res-c', gateway: '10.1.1.1' }).expect(400);

    await e.docker(['create', '--name', 'res-attached', '--network', 'res-a', TEST_IMAGE, 'true']);
    const attached = (await list()).networks.find((n) => n.name === 'res-a');
    expect(attached?.containers.map((c) => c.name)).toEqual(['res-attached']);
    const refused = await t.agent.delete(`/api/networks/${a.id}`).expect(409);
    expect(refused.body.error.message).toContain('res-attached');
    await t.agent.delete('/api/networks/host').expect(409);

    await e.docker(['rm', 'res-attached']);
    await t.agent.delete(`/api/networks/${a.id}`).expect(200);
    await t.agent.delete('/api/networks/res-b').expect(200);
    expect((await list()).networks.map((n) => n.name)).not.toContain('res-a');
    await t.agent.delete('/api/networks/res-a').expect(404);
  });

  it('creates macvlan and ipvlan networks on a parent interface', async () => {
    const parent = readdirSync('/sys/class/net').find((n) => /^(eth|ens|enp)/.test(n));
    if (!parent) return; // no physical-looking interface to hang them on
    await t.agent.post('/api/networks').send({ name: 'res-mv', driver: 'macvlan' }).expect(400);
    const mv = await t.agent
      .post('/api/networks')
      .send({ name: 'res-mv', driver: 'macvlan', parent, subnet: `${net(2)}.0/24`, gateway: `${net(2)}.1` })
      .expect(201);
    expect(mv.body).toMatchObject({ driver: 'macvlan' });
    const iv = await t.agent
      .post('/api/networks')
      .send({ name: 'res-iv', driver: 'ipvlan', parent, subnet: `${net(3)}.0/24` })
      .expect(201);
    expect(iv.body).toMatchObject({ driver: 'ipvlan' });
    await t.agent.delete('/api/networks/res-mv').expect(200);
    await t.agent.delete('/api/networks/res-iv').expect(200);
  });

  it('warns when the pool is nearly exhausted, and says how to widen it', async () => {
    let n = 0;
    for (; n < 13; n++)
      await t.agent
        .post('/api/networks')
        .send({ name: `res-p${n}` })
        .expect(201);
    const near = (await list()).pools;
    expect(near).toMatchObject({ used: 13, capacity: 16 });
    expect(near.warning).toContain('default-address-pools');
    expect(near.warning).toContain('only 3 more networks');
    for (; n < 16; n++)
      await t.agent
        .post('/api/networks')
        .send({ name: `res-p${n}` })
        .expect(201);
    // The engine itself now refuses a network without a subnet.
    const refused = await t.agent.post('/api/networks').send({ name: 'res-p16' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const full = (await list()).pools;
    expect(full).toMatchObject({ used: 16, capacity: 16 });
    expect(full.warning).toContain('will fail');
  });
});
