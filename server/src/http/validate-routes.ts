import { Router } from 'express';
import { ValidateRequest } from '../../../common/api.js';
import type { ComposeValidator } from '../stacks/stack-store.js';
import { route } from './route.js';

export function validateRoutes(validate: ComposeValidator): Router {
  const r = Router();
  r.post(
    '/validate',
    route({ body: ValidateRequest }, ({ body }) =>
      Promise.resolve({ problems: validate(body.yaml).problems }),
    ),
  );
  return r;
}
