import type { CreateNetworkRequest, NetworkList, NetworkSummary } from '../../../common/resources.js';
import type { EngineClient } from '../engine/engine-client.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { DOCKER_DEFAULT_POOLS, poolUsage, readDaemonPools } from './address-pools.js';
import { containerRef, engineCall, PROJECT_LABEL } from './engine-errors.js';

const BUILT_IN = new Set(['bridge', 'host', 'none']);

export class NetworkService {
  constructor(
    private readonly engine: EngineClient,
    /** daemon.json of the engine, when Berth can read it (default-address-pools). */
    private readonly daemonConfig: string,
    private readonly log: Logger,
  ) {}

  async list(): Promise<NetworkList> {
    const [networks, containers] = await engineCall(() =>
      Promise.all([this.engine.listNetworks(), this.engine.listContainers()]),
    );
    const out: NetworkSummary[] = networks
      .map((n) => ({
        id: n.id,
        name: n.name,
        driver: n.driver,
        scope: n.scope,
        internal: n.internal,
        subnets: n.subnets,
        stack: n.labels[PROJECT_LABEL] ?? null,
        builtIn: BUILT_IN.has(n.name),
        containers: containers
          .filter((c) => c.networks.includes(n.id) || c.networks.includes(n.name))
          .map(containerRef),
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
    const configured = await readDaemonPools(this.daemonConfig);
    // Only local-scope networks take blocks of the local pools.
    const subnets = networks
      .filter((n) => n.scope === 'local')
      .flatMap((n) => n.subnets.map((s) => s.subnet));
    const pools = poolUsage(
      configured ?? DOCKER_DEFAULT_POOLS,
      subnets,
      configured ? 'daemon.json' : 'defaults',
    );
    return { networks: out, pools };
  }

  async create(req: CreateNetworkRequest): Promise<NetworkSummary> {
    if (req.driver !== 'bridge' && !req.parent) {
      throw new AppError('BAD_REQUEST', `a ${req.driver} network needs a parent interface`);
    }
    const id = await engineCall(() =>
      this.engine.createNetwork({
        name: req.name,
        driver: req.driver,
        subnet: req.subnet,
        gateway: req.gateway,
        parent: req.parent,
        internal: req.internal,
        labels: {},
      }),
    );
    this.log.info({ network: req.name, id, driver: req.driver, subnet: req.subnet }, 'network created');
    const created = (await this.list()).networks.find((n) => n.id === id);
    if (!created) throw new AppError('NOT_FOUND', `network "${req.name}" vanished after its creation`);
    return created;
  }

  /** Only unused networks: refused (409, naming them) while containers are attached. */
  async remove(idOrName: string): Promise<void> {
    const { networks } = await this.list();
    const net =
      networks.find((n) => n.id === idOrName || n.name === idOrName) ??
      networks.find((n) => idOrName.length >= 12 && n.id.startsWith(idOrName));
    if (!net) throw new AppError('NOT_FOUND', `no network "${idOrName}"`);
    if (net.builtIn) throw new AppError('CONFLICT', `network "${net.name}" is the engine's own`);
    if (net.containers.length > 0) {
      throw new AppError(
        'CONFLICT',
        `network "${net.name}" has container ${net.containers.map((c) => c.name).join(', ')} attached`,
        { containers: net.containers },
      );
    }
    await engineCall(() => this.engine.removeNetwork(net.id));
    this.log.info({ network: net.name, id: net.id }, 'network removed');
  }
}
