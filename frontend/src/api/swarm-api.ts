import type { NodeAvailabilityRequest } from '../../../common/swarm';
import { call } from './http';

export const swarmApi = {
  info: () => call('getSwarm'),
  stack: (name: string) => call('getStackSwarm', { params: { name } }),
  preview: (name: string) => call('previewDeploy', { params: { name } }),
  deploy: (name: string, confirm: boolean) => call('deployStack', { params: { name }, body: { confirm } }),
  scale: (name: string, service: string, replicas: number) =>
    call('scaleService', { params: { name, service }, body: { replicas } }),
  logs: (name: string, service: string, tail = 200) =>
    call('getServiceLogs', { params: { name, service }, query: { tail } }),
  setAvailability: (id: string, availability: NodeAvailabilityRequest['availability']) =>
    call('setNodeAvailability', { params: { id }, body: { availability } }),
};
