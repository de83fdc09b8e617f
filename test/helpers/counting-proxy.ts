import { request as httpRequest, createServer, type Server } from 'node:http';
import path from 'node:path';
import { tempDir } from './factories.js';

/** The engine's own socket, as DOCKER_HOST names it (unix only) or the default. */
export function engineSocket(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

export interface CountingProxy {
  socketPath: string;
  /** Every request seen, as `METHOD /path?query` with the API version prefix removed. */
  requests: string[];
  /** Requests whose response is still streaming, as above. */
  open: Set<string>;
  /** Follow log requests per container id (all time). */
  followsOf(containerId: string): number;
  /** Follow log requests streaming right now. */
  openFollows(): number;
  close(): Promise<void>;
}

/**
 * A tiny HTTP proxy on a unix socket in front of the real engine socket that counts requests by
 * path: point a DockerEngineClient at `socketPath` and see exactly what Berth asks the engine.
 */
export async function startCountingProxy(): Promise<CountingProxy> {
  const dir = tempDir('berth-proxy-');
  const socketPath = path.join(dir.dir, 'engine.sock');
  const requests: string[] = [];
  const open = new Set<string>();
  let seq = 0;
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '').replace(/^\/v[\d.]+\//, '/');
    requests.push(`${req.method} ${url}`);
    const key = `${++seq} ${req.method} ${url}`;
    open.add(key);
    const done = () => open.delete(key);
    const up = httpRequest(
      { socketPath: engineSocket(), path: req.url, method: req.method, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        // A stream (events, logs) may send no byte for a long time: headers go out now.
        res.flushHeaders();
        upRes.pipe(res);
        upRes.on('close', done);
      },
    );
    up.on('error', () => {
      done();
      res.destroy();
    });
    // The client hanging up (a destroyed follow stream) ends the upstream request too.
    res.on('close', () => {
      done();
      up.destroy();
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const isFollow = (r: string) => /\/containers\/[^/]+\/logs\?.*follow=(true|1)/.test(r);
  return {
    socketPath,
    requests,
    open,
    followsOf: (id) => requests.filter((r) => isFollow(r) && r.includes(`/containers/${id}/logs`)).length,
    openFollows: () => [...open].filter(isFollow).length,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      dir.cleanup();
    },
  };
}
