import { Router } from 'express';
import { ConvertRequest } from '../../../common/api.js';
import { convertRun } from '../convert/converter.js';
import { route } from './route.js';

export function convertRoutes(): Router {
  const r = Router();
  r.post(
    '/convert',
    route({ body: ConvertRequest }, ({ body }) => Promise.resolve(convertRun(body.command, body.into))),
  );
  return r;
}
