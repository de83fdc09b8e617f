import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';

/**
 * Serves the built SPA with history-mode fallback. Hashed assets are cached for a year;
 * index.html never, so a new build is picked up on reload.
 */
export function spaRoutes(webRoot: string): Router {
  const r = Router();
  const index = path.join(webRoot, 'index.html');
  r.use(
    '/assets',
    express.static(path.join(webRoot, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }),
  );
  r.use(express.static(webRoot, { index: false, maxAge: 0 }));
  r.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => {
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The web UI is not built. Run `npm run build` (or `npm start`, which builds first).\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return r;
}
