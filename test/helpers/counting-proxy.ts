import { rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import path from 'node:path';
import { tempDir } from './factories.js';

export interface CountedRequest {
  at: number;
  method: string;
  /** Path without the API version prefix and query: `/containers/<id>/stats`. */
  path: string;
}

/**
 * A unix-socket HTTP proxy in front of the Docker socket that records every request (streams
 * such as /events pass through untouched). Point a DockerEngineClient at `socketPath`.
 */
export class CountingProxy {
  readonly requests: CountedRequest[] = [];
  readonly socketPath: string;
  private readonly server: Server;
  private readonly tmp = tempDir('berth-proxy-');

  constructor(private readonly target = '/var/run/docker.sock') {
    this.socketPath = path.join(this.tmp.dir, 'docker.sock');
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://docker');
      this.requests.push({
        at: Date.now(),
        method: req.method ?? 'GET',
        path: url.pathname.replace(/^\/v[\d.]+/, ''),
      });
      const upstream = request(
        { socketPath: this.target, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    });
  }

  async start(): Promise<this> {
    rmSync(this.socketPath, { force: true });
    await new Promise<void>((resolve) => this.server.listen(this.socketPath, resolve));
    return this;
  }

  /** Stats requests (any container), optionally only those that arrived after `since`. */
  stats(since = 0): CountedRequest[] {
    return this.requests.filter((r) => r.at > since && /^\/containers\/[^/]+\/stats$/.test(r.path));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.tmp.cleanup();
  }
}
