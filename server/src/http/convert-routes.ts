import type { ValidateRequest } from '../../../common/api.js';
import type { Problem } from '../../../common/stack.js';
import { convertRun } from '../convert/converter.js';
import type { Handlers } from './route.js';

/** The editor's check: schema and compose's rules with the stack's .env and folder. */
export interface TextValidation {
  validate(input: ValidateRequest): Promise<Problem[]>;
}

export function composeToolHandlers(checker: TextValidation): Handlers<'convert' | 'validate'> {
  return {
    convert: ({ body }) => convertRun(body.command, body.into),
    validate: async ({ body }) => ({ problems: await checker.validate(body) }),
  };
}
