import { stackTerminalId } from '../compose/action-terminal.js';
import type { StackService } from '../stacks/stack-service.js';
import type { Handlers } from './route.js';

type StackOps =
  | 'listStacks'
  | 'createStack'
  | 'getStack'
  | 'saveStack'
  | 'deleteStack'
  | 'runAction'
  | 'listHistory'
  | 'getHistoryVersion'
  | 'restoreHistoryVersion';

export function stackHandlers(stacks: StackService): Handlers<StackOps> {
  return {
    listStacks: () => stacks.list(),
    createStack: ({ body }) => stacks.create(body.name, body.yaml, body.env),
    getStack: ({ params }) => stacks.get(params.name),
    saveStack: ({ params, body }) => stacks.save(params.name, body),
    deleteStack: async ({ params }) => ({ jobId: (await stacks.delete(params.name)).id }),
    runAction: async ({ params, principal }) => ({
      jobId: (await stacks.action(params.name, params.action, principal?.username)).id,
      terminal: stackTerminalId(params.name),
    }),
    listHistory: ({ params }) => stacks.history(params.name),
    getHistoryVersion: ({ params }) => stacks.historyEntry(params.name, params.id),
    restoreHistoryVersion: ({ params }) => stacks.restore(params.name, params.id),
  };
}
