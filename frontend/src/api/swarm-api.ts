import type { NodeAvailabilityRequest } from '../../../common/swarm';
import { LOCAL_HOST, type StackRef } from '../lib/stack-ref';
import { call } from './http';

export const swarmApi = {
  info: (host = LOCAL_HOST) => call('getSwarm', { host }),
  stack: (s: StackRef) => call('getStackSwarm', { host: s.host, params: { name: s.name } }),
  preview: (s: StackRef) => call('previewDeploy', { host: s.host, params: { name: s.name } }),
  deploy: (s: StackRef, confirm: boolean) =>
    call('deployStack', { host: s.host, params: { name: s.name }, body: { confirm } }),
  scale: (s: StackRef, service: string, replicas: number) =>
    call('scaleService', { host: s.host, params: { name: s.name, service }, body: { replicas } }),
  logs: (s: StackRef, service: string, tail = 200) =>
    call('getServiceLogs', { host: s.host, params: { name: s.name, service }, query: { tail } }),
  setAvailability: (id: string, availability: NodeAvailabilityRequest['availability'], host = LOCAL_HOST) =>
    call('setNodeAvailability', { host, params: { id }, body: { availability } }),
};
