import { stackTerminalId } from '../compose/action-terminal.js';
import type { SwarmService } from '../swarm/swarm-service.js';
import type { Handlers } from './route.js';

type SwarmOps =
  | 'previewDeploy'
  | 'deployStack'
  | 'getStackSwarm'
  | 'scaleService'
  | 'getServiceLogs'
  | 'getSwarm'
  | 'setNodeAvailability';

export function swarmHandlers(swarm: SwarmService): Handlers<SwarmOps> {
  return {
    previewDeploy: ({ params }) => swarm.preview(params.name),
    deployStack: async ({ params, body }) => {
      const { job, findings } = await swarm.deploy(params.name, body.confirm === true);
      return { jobId: job.id, terminal: stackTerminalId(params.name), findings };
    },
    getStackSwarm: ({ params }) => swarm.detail(params.name),
    scaleService: ({ params, body }) => swarm.scale(params.name, params.service, body.replicas),
    getServiceLogs: ({ params, query }) => swarm.logs(params.name, params.service, query.tail),
    getSwarm: () => swarm.info(),
    setNodeAvailability: ({ params, body }) => swarm.setAvailability(params.id, body.availability),
  };
}
