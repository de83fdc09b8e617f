import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { precompressedStatic, sendPrecompressed } from './precompressed.js';

const YEAR = 'public, max-age=31536000, immutable';

/**
 * Serves the built SPA with history-mode fallback. Hashed assets are cached for a year;
 * index.html never, so a new build is picked up on reload. Files the build compressed (.br, .gz)
 * go out compressed to clients that take it.
 */
export function spaRoutes(webRoot: string): Router {
  const r = Router();
  const index = path.join(webRoot, 'index.html');
  const assets = path.join(webRoot, 'assets');
  r.use('/assets', precompressedStatic(assets, YEAR));
  r.use('/assets', express.static(assets, { immutable: true, maxAge: '365d', fallthrough: false }));
  r.use(precompressedStatic(webRoot, 'public, max-age=0'));
  r.use(express.static(webRoot, { index: false, maxAge: 0 }));
  r.get(/^\/(?!api\/|socket\.io\/).*/, (req, res, next) => {
    if (!existsSync(index)) {
      res
        .status(503)
        .type('text/plain')
        .send('The web UI is not built. Run `npm run build` (or `npm start`, which builds first).\n');
      return;
    }
    void sendPrecompressed(req.headers['accept-encoding'], index, res, 'no-cache')
      .then((sent) => {
        if (sent) return;
        res.setHeader('Cache-Control', 'no-cache');
        res.sendFile(index);
      })
      .catch(next);
  });
  return r;
}
