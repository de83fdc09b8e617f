import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { StackAction } from '../../../common/api.js';
import type { DeployPreview, SwarmInfo, SwarmStackDetail, SwarmServiceInfo } from '../../../common/swarm.js';
import type { ComposeRunner } from '../compose/compose-runner.js';
import type { Job } from '../compose/job-store.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { writeFileAtomic } from '../stacks/atomic-write.js';
import type { StackStore } from '../stacks/stack-store.js';
import { preflight, targetOf } from './preflight.js';
import type { StackRenderer } from './render.js';
import type { EngineNode, SwarmEngine } from './swarm-engine.js';
import type { SwarmState } from './swarm-state.js';
import type { StackRuntime, SwarmStacks } from '../stacks/stack-service.js';

/**
 * Swarm stacks: preview (rendered file + preflight), deploy and remove as jobs in the stack's
 * terminal, scale, and the swarm's nodes. Berth never runs `docker swarm init`.
 */
export class SwarmService implements SwarmStacks {
  constructor(
    private readonly deps: {
      store: StackStore;
      runner: ComposeRunner;
      state: SwarmState;
      engine: SwarmEngine;
      renderer: StackRenderer;
      log: Logger;
    },
  ) {}

  runtimeOf(name: string): StackRuntime {
    return this.deps.state.runtimeOf(name);
  }

  stackNames(): string[] {
    return this.deps.state.stackNames();
  }

  /** The declared target of a managed stack (reads its compose file). */
  async targetOf(name: string): Promise<'compose' | 'swarm'> {
    return targetOf((await this.deps.store.read(name)).yaml);
  }

  private requireManager(what: string): void {
    const info = this.deps.state.describe();
    if (!info.manager) {
      throw new AppError('CONFLICT', `cannot ${what}: ${info.message ?? 'no swarm manager'}`, {
        swarm: info,
      });
    }
  }

  async preview(name: string): Promise<DeployPreview> {
    const files = await this.deps.store.read(name);
    const target = targetOf(files.yaml);
    const findings = preflight(files.yaml);
    const rendered = await this.deps.renderer.render(name, this.deps.store.dirOf(name));
    const blocked = !rendered.ok || findings.some((f) => f.severity === 'error');
    return {
      target,
      swarmActive: this.deps.state.describe().manager,
      rendered: rendered.ok ? rendered.yaml : null,
      renderError: rendered.ok ? null : rendered.error,
      findings,
      blocked,
      needsConfirm: !blocked && findings.length > 0,
    };
  }

  /**
   * Renders, checks and runs `docker stack deploy --with-registry-auth --prune -c <rendered>
   * <name>` as a job. Errors of the preflight block (422); warnings need `confirm` (409).
   */
  async deploy(name: string, confirm: boolean): Promise<{ job: Job; findings: DeployPreview['findings'] }> {
    const files = await this.deps.store.read(name);
    const findings = preflight(files.yaml);
    const errors = findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) {
      const first = errors[0];
      throw new AppError(
        'INVALID_COMPOSE',
        `the preflight refuses this deploy${first ? ` (line ${first.line}: ${first.message})` : ''}`,
        { findings },
      );
    }
    if (findings.length > 0 && !confirm) {
      throw new AppError(
        'CONFLICT',
        `the preflight has ${findings.length} warning(s): deploy again with "confirm": true to go ahead`,
        { findings, confirmRequired: true },
      );
    }
    this.requireManager('deploy');
    const rendered = await this.deps.renderer.render(name, this.deps.store.dirOf(name));
    if (!rendered.ok)
      throw new AppError('INVALID_COMPOSE', `compose cannot render this stack: ${rendered.error}`);
    const file = path.join(this.deps.runner.scratchDir, 'swarm', `${name}.yaml`);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, rendered.yaml);
    const job = await this.deps.runner.start(
      name,
      'deploy',
      [
        {
          args: [],
          cwd: this.deps.runner.scratchDir,
          docker: ['stack', 'deploy', '--with-registry-auth', '--prune', '-c', file, name],
        },
      ],
      async () => this.deps.state.refresh(name),
    );
    this.deps.log.info({ stack: name, warnings: findings.length }, 'swarm deploy started');
    return { job, findings };
  }

  /** `docker stack rm <name>` as a job; `after` runs when it succeeded (delete moves to trash). */
  remove(name: string, action = 'down', after?: (write: (t: string) => void) => Promise<void>): Promise<Job> {
    this.requireManager('remove a swarm stack');
    return this.deps.runner.start(
      name,
      action,
      [{ args: [], cwd: this.deps.runner.scratchDir, docker: ['stack', 'rm', name] }],
      async (_job, write) => {
        await this.deps.state.refresh(name);
        await after?.(write);
      },
    );
  }

  /** The lifecycle actions of a swarm stack: `up` deploys (no warnings allowed), `down` removes. */
  async action(name: string, action: StackAction): Promise<Job> {
    if (action === 'up') return (await this.deploy(name, false)).job;
    if (action === 'down') return this.remove(name);
    throw new AppError(
      'CONFLICT',
      `"${action}" is a compose action; a swarm stack is deployed (up / deploy), scaled or removed (down)`,
    );
  }

  async detail(name: string): Promise<SwarmStackDetail> {
    const target = this.deps.store.get(name) ? await this.targetOf(name) : 'swarm';
    const { nodes: _nodes, ...swarm } = this.deps.state.describe();
    if (target === 'compose' && !this.deps.state.stackNames().includes(name)) {
      return { stack: name, target, swarm, services: [] };
    }
    if (!this.deps.store.get(name) && !this.deps.state.stackNames().includes(name)) {
      throw new AppError('STACK_NOT_FOUND', `stack "${name}" does not exist`);
    }
    return { stack: name, target, swarm, services: this.deps.state.services(name) };
  }

  async scale(name: string, service: string, replicas: number): Promise<SwarmServiceInfo> {
    this.requireManager('scale');
    const id = this.deps.state.serviceId(name, service);
    if (!id)
      throw new AppError('NOT_FOUND', `stack "${name}" has no swarm service "${service}" (deploy it first)`);
    const info = this.deps.state.services(name).find((s) => s.id === id);
    if (info?.mode !== 'replicated')
      throw new AppError('CONFLICT', `"${service}" is not a replicated service`);
    await this.deps.engine.scale(id, replicas);
    await this.deps.state.refresh(name);
    this.deps.log.info({ stack: name, service, replicas }, 'swarm service scaled');
    const after = this.deps.state.services(name).find((s) => s.id === id);
    if (!after) throw new AppError('NOT_FOUND', `service "${service}" is gone`);
    return after;
  }

  /** A one-shot tail of a service's logs (the engine's service logs API). */
  async logs(name: string, service: string, tail: number): Promise<{ text: string }> {
    this.requireManager('read service logs');
    const id = this.deps.state.serviceId(name, service);
    if (!id) throw new AppError('NOT_FOUND', `stack "${name}" has no swarm service "${service}"`);
    return { text: await this.deps.engine.serviceLogs(id, tail) };
  }

  info(): Promise<SwarmInfo> {
    return this.deps.state.info();
  }

  async setAvailability(nodeId: string, availability: EngineNode['availability']): Promise<SwarmInfo> {
    const info = await this.deps.state.info();
    if (!info.manager)
      throw new AppError('CONFLICT', `cannot change a node: ${info.message ?? 'no swarm manager'}`);
    const node = info.nodes.find((n) => n.id === nodeId || n.hostname === nodeId);
    if (!node) throw new AppError('NOT_FOUND', `no swarm node "${nodeId}"`);
    await this.deps.engine.setAvailability(node.id, availability);
    this.deps.log.info({ node: node.id, availability }, 'swarm node availability');
    return this.deps.state.info();
  }
}
