import { convertRun } from '../convert/converter.js';
import type { ComposeValidator } from '../stacks/stack-store.js';
import type { Handlers } from './route.js';

export function composeToolHandlers(validate: ComposeValidator): Handlers<'convert' | 'validate'> {
  return {
    convert: ({ body }) => convertRun(body.command, body.into),
    validate: ({ body }) => ({ problems: validate(body.yaml).problems }),
  };
}
