import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './factories.js';

const run = promisify(execFile);

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface LoggedRequest {
  method: string;
  path: string;
}

/**
 * A real registry (Debian's `docker-registry`) on a free loopback port, optionally with htpasswd
 * basic auth, optionally behind a counting proxy that can demand anonymous bearer tokens (the
 * flow Docker Hub and GHCR use) and answer 429 on demand.
 */
export class TestRegistry {
  /** host:port of the registry itself. */
  direct = '';
  /** host:port of the counting proxy (Berth and the engine pull through it). */
  host = '';
  readonly requests: LoggedRequest[] = [];
  private proc: ChildProcess | undefined;
  private proxy: Server | undefined;
  private readonly tmp = tempDir('upd-registry-');
  private readonly tokens = new Set<string>();
  private limitNext = 0;
  private retryAfter = '120';
  /** `docker --config` folder holding the login for a registry with basic auth. */
  readonly dockerConfig: string;

  constructor(
    private readonly opts: { basicAuth?: { user: string; password: string }; bearer?: boolean } = {},
  ) {
    this.dockerConfig = path.join(this.tmp.dir, 'docker-config');
    mkdirSync(this.dockerConfig, { recursive: true });
  }

  async start(): Promise<this> {
    const port = await freePort();
    this.direct = `127.0.0.1:${port}`;
    const cfg = [
      'version: 0.1',
      'log: {level: error, accesslog: {disabled: true}}',
      `storage: {filesystem: {rootdirectory: ${path.join(this.tmp.dir, 'data')}}, delete: {enabled: true}}`,
      `http: {addr: "${this.direct}", secret: ${randomBytes(8).toString('hex')}}`,
    ];
    if (this.opts.basicAuth) {
      const { stdout } = await run('htpasswd', [
        '-Bbn',
        this.opts.basicAuth.user,
        this.opts.basicAuth.password,
      ]);
      writeFileSync(path.join(this.tmp.dir, 'htpasswd'), stdout);
      cfg.push(`auth: {htpasswd: {realm: upd-test, path: ${path.join(this.tmp.dir, 'htpasswd')}}}`);
    }
    const file = path.join(this.tmp.dir, 'config.yml');
    writeFileSync(file, cfg.join('\n') + '\n');
    this.proc = spawn('docker-registry', ['serve', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    this.proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const until = Date.now() + 20_000;
    for (;;) {
      const ok = await fetch(`http://${this.direct}/v2/`).then(
        (r) => r.status === 200 || r.status === 401,
        () => false,
      );
      if (ok) break;
      if (Date.now() > until || this.proc.exitCode !== null)
        throw new Error(`registry did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    this.proxy = createServer((req, res) => this.forward(req, res));
    await new Promise<void>((r) => this.proxy?.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.proxy.address() as AddressInfo).port}`;
    if (this.opts.basicAuth) {
      await run('docker', [
        '--config',
        this.dockerConfig,
        'login',
        '-u',
        this.opts.basicAuth.user,
        '-p',
        this.opts.basicAuth.password,
        this.direct,
      ]);
    }
    return this;
  }

  /** The next n manifest requests are answered 429 with Retry-After. */
  rateLimit(n: number, retryAfterSeconds = 120): void {
    this.limitNext = n;
    this.retryAfter = String(retryAfterSeconds);
  }

  count(method: string, pattern: RegExp): number {
    return this.requests.filter((r) => r.method === method && pattern.test(r.path)).length;
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    this.requests.push({ method: req.method ?? '', path: url });
    if (this.opts.bearer && url.startsWith('/token')) {
      const token = randomBytes(12).toString('hex');
      this.tokens.add(token);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ token, access_token: token, expires_in: 300 }));
      return;
    }
    if (this.limitNext > 0 && url.includes('/manifests/')) {
      this.limitNext--;
      res.writeHead(429, { 'Retry-After': this.retryAfter, 'Content-Type': 'application/json' });
      res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
      return;
    }
    const headers = { ...req.headers, host: this.direct };
    if (this.opts.bearer) {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Bearer ') || !this.tokens.has(auth.slice(7))) {
        const repo = /^\/v2\/(.+?)\/(manifests|blobs|tags)\//.exec(url)?.[1];
        const scope = repo ? `,scope="repository:${repo}:pull"` : '';
        res.writeHead(401, {
          'Www-Authenticate': `Bearer realm="http://${this.host}/token",service="upd-test"${scope}`,
          'Content-Type': 'application/json',
        });
        res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
        return;
      }
      delete headers.authorization;
    }
    const up = httpRequest(
      { host: '127.0.0.1', port: Number(this.direct.split(':')[1]), method: req.method, path: url, headers },
      (upRes) => {
        const h = { ...upRes.headers };
        // Upload locations name the registry itself; keep the client on the proxy.
        if (typeof h.location === 'string') h.location = h.location.replace(this.direct, this.host);
        res.writeHead(upRes.statusCode ?? 502, h);
        upRes.pipe(res);
      },
    );
    up.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(up);
  }

  /** Registry API call straight to the registry (test setup; not counted). */
  async api(
    method: string,
    p: string,
    body?: Buffer | string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const auth: Record<string, string> = this.opts.basicAuth
      ? {
          Authorization: `Basic ${Buffer.from(`${this.opts.basicAuth.user}:${this.opts.basicAuth.password}`).toString('base64')}`,
        }
      : {};
    return fetch(`http://${this.direct}${p}`, { method, body, headers: { ...auth, ...headers } });
  }

  /** Uploads a blob (monolithic upload); its digest. */
  async putBlob(repo: string, data: Buffer): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const start = await this.api('POST', `/v2/${repo}/blobs/uploads/`);
    if (start.status !== 202) throw new Error(`blob upload start: ${start.status}`);
    const loc = new URL(start.headers.get('location') ?? '', `http://${this.direct}`);
    loc.searchParams.set('digest', digest);
    const put = await this.api('PUT', loc.pathname + loc.search, data, {
      'Content-Type': 'application/octet-stream',
    });
    if (put.status !== 201) throw new Error(`blob upload: ${put.status} ${await put.text()}`);
    return digest;
  }

  async putManifest(
    repo: string,
    reference: string,
    mediaType: string,
    manifest: unknown,
  ): Promise<{ digest: string; size: number }> {
    const body = Buffer.from(JSON.stringify(manifest));
    const res = await this.api('PUT', `/v2/${repo}/manifests/${reference}`, body, {
      'Content-Type': mediaType,
    });
    if (res.status !== 201) throw new Error(`manifest put: ${res.status} ${await res.text()}`);
    return { digest: res.headers.get('docker-content-digest') ?? '', size: body.length };
  }

  async getManifest(
    repo: string,
    reference: string,
  ): Promise<{ body: Record<string, unknown>; digest: string; size: number; mediaType: string }> {
    const res = await this.api('GET', `/v2/${repo}/manifests/${reference}`, undefined, {
      Accept: 'application/vnd.docker.distribution.manifest.v2+json',
    });
    const text = await res.text();
    return {
      body: JSON.parse(text) as Record<string, unknown>,
      digest: res.headers.get('docker-content-digest') ?? '',
      size: Buffer.byteLength(text),
      mediaType: res.headers.get('content-type') ?? '',
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.proxy ? this.proxy.close(() => r()) : r()));
    this.proxy?.closeAllConnections();
    if (this.proc && this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc?.once('exit', r));
      this.proc.kill('SIGTERM');
      await exited;
    }
    this.tmp.cleanup();
  }
}
