import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { RequestHandler, Response } from 'express';

export type Encoding = 'br' | 'gzip' | 'identity';

const SUFFIX: Record<Exclude<Encoding, 'identity'>, string> = { br: '.br', gzip: '.gz' };

/**
 * The best encoding of `available` for an Accept-Encoding header (RFC 9110 12.5.3): highest q
 * wins, brotli before gzip on a tie; `*` covers what is not named; identity is acceptable (least
 * preferred) unless refused (q=0, directly or through `*`).
 */
export function chooseEncoding(header: string | undefined, available: readonly Encoding[]): Encoding {
  const q = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [rawToken, ...params] = part.toLowerCase().split(';');
    const token = rawToken?.trim();
    if (!token) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p);
      if (m) weight = Math.min(1, Number(m[1]));
    }
    q.set(token === 'x-gzip' ? 'gzip' : token, Number.isFinite(weight) ? weight : 0);
  }
  const weightOf = (e: Encoding): number => {
    const direct = q.get(e);
    if (direct !== undefined) return direct;
    const any = q.get('*');
    if (any !== undefined) return any;
    // Acceptable, but last: a client naming an encoding wants it over the plain bytes.
    return e === 'identity' ? 0.001 : 0;
  };
  let best: Encoding = 'identity';
  let bestQ = 0;
  for (const e of ['br', 'gzip', 'identity'] as const) {
    if (e !== 'identity' && !available.includes(e)) continue;
    const w = weightOf(e);
    if (w > bestQ) {
      best = e;
      bestQ = w;
    }
  }
  // Nothing acceptable: identity anyway (RFC 9110 allows it, and a 406 helps nobody here).
  return best;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/**
 * Sends `file` as its `.br` or `.gz` sibling when one was made at build time and the client takes
 * it, with the original's Content-Type and `Vary: Accept-Encoding`. Resolves false when there is
 * no variant at all (the caller serves the file as it is).
 */
export async function sendPrecompressed(
  acceptEncoding: string | undefined,
  file: string,
  res: Response,
  cacheControl: string,
): Promise<boolean> {
  const available: Encoding[] = [];
  for (const e of ['br', 'gzip'] as const) if (await isFile(file + SUFFIX[e])) available.push(e);
  if (available.length === 0) return false;
  const encoding = chooseEncoding(acceptEncoding, available);
  res.setHeader('Vary', 'Accept-Encoding');
  res.setHeader('Cache-Control', cacheControl);
  res.type(path.extname(file));
  const target = encoding === 'identity' ? file : file + SUFFIX[encoding];
  if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
  await new Promise<void>((resolve, reject) => {
    // Ranges of an encoded body are valid HTTP but of no use for these files: whole bodies only.
    res.sendFile(target, { cacheControl: false, acceptRanges: false, dotfiles: 'deny' }, (err) =>
      err ? reject(err) : resolve(),
    );
  });
  return true;
}

/** Serves `<root>/<path>` precompressed when it can; otherwise passes on to express.static. */
export function precompressedStatic(root: string, cacheControl: string): RequestHandler {
  const base = path.resolve(root);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let rel: string;
    try {
      rel = decodeURIComponent(req.path);
    } catch {
      return next();
    }
    const file = path.resolve(base, '.' + path.posix.normalize('/' + rel));
    if (!file.startsWith(base + path.sep) || /\.(?:br|gz)$/.test(file)) return next();
    void (async () => {
      if (!(await isFile(file))) return next();
      if (!(await sendPrecompressed(req.headers['accept-encoding'], file, res, cacheControl))) next();
    })().catch(next);
  };
}
