import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

type Callback = (err: Error | null, socket?: Duplex) => void;
/** What an agent's createConnection is given (from ws, through http.request). */
interface ConnOptions {
  host?: string | null;
  hostname?: string | null;
  port?: number | string | null;
  servername?: string;
  ca?: tls.ConnectionOptions['ca'];
  rejectUnauthorized?: boolean;
}

/** Opens a tunnel through an HTTP proxy (`CONNECT host:port`); TLS inside it for `wss://`. */
function tunnel(proxy: URL, options: ConnOptions, secure: boolean, cb: Callback): void {
  const target = `${options.host ?? options.hostname ?? 'localhost'}:${String(options.port)}`;
  const headers: Record<string, string> = { host: target };
  if (proxy.username) {
    const auth = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(auth).toString('base64')}`;
  }
  const req = (proxy.protocol === 'https:' ? https : http).request({
    host: proxy.hostname,
    port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
    method: 'CONNECT',
    path: target,
    headers,
  });
  req.once('connect', (res, socket) => {
    if (res.statusCode !== 200) {
      socket.destroy();
      cb(new Error(`the proxy refused CONNECT ${target}: ${res.statusCode ?? 0}`));
      return;
    }
    if (!secure) {
      cb(null, socket);
      return;
    }
    const servername = options.servername ?? options.hostname ?? options.host ?? undefined;
    cb(
      null,
      tls.connect({
        socket,
        servername,
        ...(options.ca ? { ca: options.ca } : {}),
        rejectUnauthorized: options.rejectUnauthorized !== false,
      }),
    );
  });
  req.once('error', (err) => cb(err));
  req.end();
}

class HttpConnectAgent extends http.Agent {
  constructor(private readonly proxy: URL) {
    super({ keepAlive: false });
  }
  override createConnection(options: ConnOptions, cb: Callback): undefined {
    tunnel(this.proxy, options, false, cb);
    return undefined;
  }
}

class HttpsConnectAgent extends https.Agent {
  constructor(private readonly proxy: URL) {
    super({ keepAlive: false });
  }
  override createConnection(options: ConnOptions, cb: Callback): undefined {
    tunnel(this.proxy, options, true, cb);
    return undefined;
  }
}

/** Whether NO_PROXY (comma-separated host names or suffixes, `*` for all) exempts `host`. */
export function bypassesProxy(host: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const h = host.toLowerCase();
  return noProxy
    .split(',')
    .map((e) => e.trim().toLowerCase().replace(/:\d+$/, ''))
    .filter(Boolean)
    .some((e) => e === '*' || h === e.replace(/^\./, '') || h.endsWith(e.startsWith('.') ? e : `.${e}`));
}

/**
 * The proxy an agent dials the hub through, from the usual variables: HTTPS_PROXY for an
 * `https://` hub, HTTP_PROXY for an `http://` one (lower-case names too), unless NO_PROXY names
 * the hub. Undefined: connect directly.
 */
export function proxyAgentFor(hubUrl: string, env: NodeJS.ProcessEnv): http.Agent | undefined {
  const url = new URL(hubUrl);
  const secure = url.protocol === 'https:';
  const proxy = secure ? (env.HTTPS_PROXY ?? env.https_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!proxy || bypassesProxy(url.hostname, env.NO_PROXY ?? env.no_proxy)) return undefined;
  const p = new URL(proxy);
  return secure ? new HttpsConnectAgent(p) : new HttpConnectAgent(p);
}
