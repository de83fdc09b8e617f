import { Router } from 'express';
import { ValidateRequest } from '../../../common/api.js';
import type { Problem } from '../../../common/stack.js';
import { route } from './route.js';

export interface TextValidation {
  validate(input: ValidateRequest): Promise<Problem[]>;
}

export function validateRoutes(checker: TextValidation): Router {
  const r = Router();
  r.post(
    '/validate',
    route({ body: ValidateRequest }, async ({ body }) => ({ problems: await checker.validate(body) })),
  );
  return r;
}
