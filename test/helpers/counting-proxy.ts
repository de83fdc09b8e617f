import { rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import path from 'node:path';
import { tempDir } from './factories.js';

/** The engine's own socket, as DOCKER_HOST names it (unix only) or the default. */
export function engineSocket(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

export interface CountedRequest {
  at: number;
  method: string;
  /** Path without the API version prefix and query: `/containers/<id>/stats`. */
  path: string;
  /** Path and query without the API version prefix. */
  url: string;
}

const isFollow = (r: CountedRequest) => /\/logs\?.*follow=(true|1)/.test(r.url);

/**
 * A unix-socket HTTP proxy in front of the Docker socket that records every request and which
 * are still streaming (events, follow logs). Point a DockerEngineClient at `socketPath` and see
 * exactly what Berth asks the engine.
 */
export class CountingProxy {
  readonly requests: CountedRequest[] = [];
  /** Requests whose response is still streaming. */
  readonly open = new Set<CountedRequest>();
  readonly socketPath: string;
  private readonly server: Server;
  private readonly tmp = tempDir('berth-proxy-');

  constructor(private readonly target = engineSocket()) {
    this.socketPath = path.join(this.tmp.dir, 'docker.sock');
    this.server = createServer((req, res) => {
      const url = (req.url ?? '/').replace(/^\/v[\d.]+\//, '/');
      const seen = { at: Date.now(), method: req.method ?? 'GET', path: url.split('?')[0] ?? url, url };
      this.requests.push(seen);
      this.open.add(seen);
      const done = () => this.open.delete(seen);
      const upstream = request(
        { socketPath: this.target, path: req.url, method: req.method, headers: req.headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          // A stream (events, logs) may send no byte for a long time: headers go out now.
          res.flushHeaders();
          up.pipe(res);
          up.on('close', done);
        },
      );
      upstream.on('error', () => {
        done();
        res.destroy();
      });
      // The client hanging up (a destroyed follow stream) ends the upstream request too.
      res.on('close', () => {
        done();
        upstream.destroy();
      });
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

  /** Follow log requests of one container, all time. */
  followsOf(containerId: string): number {
    return this.requests.filter((r) => isFollow(r) && r.path === `/containers/${containerId}/logs`).length;
  }

  /** Follow log requests streaming right now. */
  openFollows(): number {
    return [...this.open].filter(isFollow).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.tmp.cleanup();
  }
}

export const startCountingProxy = (): Promise<CountingProxy> => new CountingProxy().start();
