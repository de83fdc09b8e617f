import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get, type IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompress } from '../../scripts/precompress.js';
import { startBerth, type TestBerth } from '../helpers/berth.js';
import { tempDir } from '../helpers/factories.js';

const web = tempDir('berth-web-');
const JS = `export const text = ${JSON.stringify('berth '.repeat(2000))};\n`;
const INDEX = `<!doctype html><html><head><title>Berth</title><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="app"></div>${'<!-- padding -->'.repeat(30)}</body></html>\n`;

let t: TestBerth;
let compressed: Awaited<ReturnType<typeof precompress>>;

/** The bytes as they travel (supertest would decode them). */
function raw(
  url: string,
  acceptEncoding?: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding };
    get(`${t.url}${url}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    }).on('error', reject);
  });
}

beforeAll(async () => {
  mkdirSync(path.join(web.dir, 'assets'));
  writeFileSync(path.join(web.dir, 'assets', 'app-abc123.js'), JS);
  writeFileSync(path.join(web.dir, 'assets', 'app-abc123.css'), 'a{}'); // too small to compress
  writeFileSync(path.join(web.dir, 'index.html'), INDEX);
  compressed = await precompress(web.dir);
  t = await startBerth({ overrides: { webRoot: web.dir } });
});
afterAll(async () => {
  await t.close();
  web.cleanup();
});

describe('pre-compressed web assets', () => {
  it('the build step writes .br and .gz beside each compressible file', () => {
    expect(compressed.map((c) => c.file).sort()).toEqual(['assets/app-abc123.js', 'index.html']);
    for (const c of compressed) expect(c.br).toBeLessThan(c.bytes);
    expect(brotliDecompressSync(readFileSync(path.join(web.dir, 'assets/app-abc123.js.br'))).toString()).toBe(
      JS,
    );
  });

  it('serves brotli to a browser that takes it, with the original type, Vary and the year cache', async () => {
    const res = await raw('/assets/app-abc123.js', 'gzip, deflate, br');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['vary']).toMatch(/accept-encoding/i);
    expect(res.headers['content-type']).toMatch(/^text\/javascript/);
    expect(res.headers['cache-control']).toContain('immutable');
    expect(Number(res.headers['content-length'])).toBeLessThan(JS.length / 4);
    expect(brotliDecompressSync(res.body).toString()).toBe(JS);
  });

  it('serves gzip when brotli is not wanted (q-values), and the file as it is otherwise', async () => {
    const gz = await raw('/assets/app-abc123.js', 'br;q=0.2, gzip;q=0.8');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(JS);

    const plain = await raw('/assets/app-abc123.js', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['vary']).toMatch(/accept-encoding/i);
    expect(plain.body.toString()).toBe(JS);

    const none = await raw('/assets/app-abc123.js', '');
    expect(none.headers['content-encoding']).toBeUndefined();
  });

  it('index.html, also as the history-mode fallback, is compressed and never cached', async () => {
    for (const url of ['/', '/stacks/demo']) {
      const res = await raw(url, 'br');
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBe('br');
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(brotliDecompressSync(res.body).toString()).toBe(INDEX);
    }
  });

  it('files without variants, HEAD, missing files and escapes behave as before', async () => {
    const css = await raw('/assets/app-abc123.css', 'br');
    expect(css.status).toBe(200);
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.body.toString()).toBe('a{}');
    const head = await request(t.berth.http.server)
      .head('/assets/app-abc123.js')
      .set('Accept-Encoding', 'br');
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('br');
    expect((await raw('/assets/nope.js', 'br')).status).toBe(404);
    expect((await raw('/assets/..%2f..%2fetc%2fpasswd', 'br')).status).toBeGreaterThanOrEqual(400);
    // The variants are not a way around the negotiation.
    const direct = await raw('/assets/app-abc123.js.br', 'identity');
    expect(direct.headers['content-encoding']).toBeUndefined();
  });
});
