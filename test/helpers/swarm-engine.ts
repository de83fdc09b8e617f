import { startSecondEngine, type SecondEngine } from './second-engine.js';

export interface SwarmTestEngine {
  engine: SecondEngine;
  /** Leaves the swarm, removes the gateway bridge and stops the engine. */
  stop(): Promise<void>;
}

/**
 * A private engine in single-node swarm mode (never the shared engine). Swarm tasks need the
 * `docker_gwbridge` bridge in the host's namespace: it is created beforehand with its own
 * interface name and subnet so it collides with nothing of the shared engine's, and removed on
 * stop (a bridge outlives its dockerd). Service tasks use the local image without trying a pull
 * (DOCKER_SERVICE_PREFER_OFFLINE_IMAGE): there is no registry to pull from.
 */
export async function startSwarmEngine(tag = 'swm'): Promise<SwarmTestEngine> {
  const octet = 16 + (process.pid % 200);
  const engine = await startSecondEngine({
    tag,
    addressPools: [{ base: `10.214.${octet}.0/24`, size: 26 }],
    env: { DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: '1' },
  });
  const bridge = `bgw${process.pid}`.slice(0, 15);
  try {
    await engine.docker([
      'network',
      'create',
      '--driver',
      'bridge',
      '--subnet',
      `10.214.${octet}.192/26`,
      '--opt',
      `com.docker.network.bridge.name=${bridge}`,
      '--opt',
      'com.docker.network.bridge.enable_icc=false',
      '--opt',
      'com.docker.network.bridge.enable_ip_masquerade=false',
      'docker_gwbridge',
    ]);
    await engine.docker([
      'swarm',
      'init',
      '--advertise-addr',
      '127.0.0.1',
      '--default-addr-pool',
      `10.215.${octet}.0/24`,
      '--default-addr-pool-mask-length',
      '28',
    ]);
  } catch (err) {
    await engine.stop();
    throw err;
  }
  return {
    engine,
    stop: async () => {
      await engine.docker(['swarm', 'leave', '--force']).catch(() => '');
      // Task containers go with the swarm; the gateway bridge needs them gone first.
      const ids = (await engine.docker(['ps', '-aq']).catch(() => '')).split('\n').filter((x) => x);
      if (ids.length > 0) await engine.docker(['rm', '-f', ...ids]).catch(() => '');
      await engine.docker(['network', 'rm', 'docker_gwbridge']).catch(() => '');
      await engine.stop();
    },
  };
}
