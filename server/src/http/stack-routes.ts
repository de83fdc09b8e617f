import { stackTerminalId } from '../compose/action-terminal.js';
import { maskEnv } from '../stacks/env-mask.js';
import type { StackService } from '../stacks/stack-service.js';
import { mayUseStack, type Principal } from './principal.js';
import type { Handlers } from './route.js';

/** `.env` values are for those who may edit; everyone else reads the keys with masked values. */
const envFor = (principal: Principal | null, env: string | null): string | null =>
  env !== null && !principal?.permissions.includes('edit') ? maskEnv(env) : env;

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
    listStacks: ({ principal }) => stacks.list().filter((s) => mayUseStack(principal, s.name)),
    createStack: ({ body }) => stacks.create(body.name, body.yaml, body.env),
    getStack: async ({ params, principal }) => {
      const detail = await stacks.get(params.name);
      return { ...detail, env: envFor(principal, detail.env) };
    },
    saveStack: ({ params, body }) => stacks.save(params.name, body),
    deleteStack: async ({ params }) => ({ jobId: (await stacks.delete(params.name)).id }),
    runAction: async ({ params, principal }) => ({
      jobId: (await stacks.action(params.name, params.action, principal?.username)).id,
      terminal: stackTerminalId(params.name),
    }),
    listHistory: ({ params }) => stacks.history(params.name),
    getHistoryVersion: async ({ params, principal }) => {
      const version = await stacks.historyEntry(params.name, params.id);
      return { ...version, env: envFor(principal, version.env) };
    },
    restoreHistoryVersion: ({ params }) => stacks.restore(params.name, params.id),
  };
}
