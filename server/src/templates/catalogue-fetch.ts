import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { AppError } from '../errors.js';

/** Addresses a catalogue URL may not reach unless private addresses are allowed. */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

/** Loopback, private, link-local, CGNAT, multicast and reserved ranges (IPv4-mapped IPv6 too). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return true;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export interface FetchOptions {
  /** Let URLs reach loopback and private networks (BERTH_TEMPLATE_IMPORT_PRIVATE). */
  allowPrivate: boolean;
  timeoutMs?: number;
  maxBytes: number;
  maxRedirects?: number;
}

/**
 * The resolver used for every connection: the address is judged when it is resolved, so a name
 * cannot pass the check and then connect elsewhere (DNS rebinding).
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const list = addresses as unknown as Array<{ address: string; family: number }>;
      const bad = list.find((a) => isPrivateAddress(a.address));
      if (!allowPrivate && bad) {
        const e = Object.assign(new Error(`${hostname} resolves to a private address (${bad.address})`), {
          code: 'BERTH_PRIVATE_ADDRESS',
        });
        return callback(e, '', 0);
      }
      const first = list[0];
      if (!first) return callback(new Error(`${hostname} has no address`), '', 0);
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: typeof list) => void)(null, list);
      } else callback(null, first.address, first.family);
    });
  };
}

function refuse(message: string): AppError {
  return new AppError('BAD_REQUEST', `cannot fetch the catalogue: ${message}`);
}

/** GET a JSON catalogue over http(s) with a timeout, a size cap and at most a few redirects. */
export async function fetchCatalogue(url: string, opts: FetchOptions): Promise<unknown> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:')
      throw refuse('only http and https URLs');
    const host = current.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && isPrivateAddress(host) && !opts.allowPrivate) {
      throw refuse(`${host} is a private or loopback address (see BERTH_TEMPLATE_IMPORT_PRIVATE)`);
    }
    const res = await get(current, opts);
    if (res.redirect) {
      if (hop >= (opts.maxRedirects ?? 3)) throw refuse('too many redirects');
      current = new URL(res.redirect, current);
      continue;
    }
    try {
      return JSON.parse(res.body) as unknown;
    } catch {
      throw refuse('the answer is not JSON');
    }
  }
}

function get(url: URL, opts: FetchOptions): Promise<{ redirect?: string; body: string }> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(
      url,
      {
        lookup: guardedLookup(opts.allowPrivate),
        timeout: opts.timeoutMs ?? 10_000,
        headers: { accept: 'application/json', 'user-agent': 'Berth template import' },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          resolve({ redirect: res.headers.location, body: '' });
          return;
        }
        if (status !== 200) {
          res.resume();
          reject(refuse(`the server answered ${status}`));
          return;
        }
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > opts.maxBytes) {
          res.destroy();
          reject(refuse(`larger than ${opts.maxBytes} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > opts.maxBytes) {
            res.destroy();
            reject(refuse(`larger than ${opts.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(refuse(err.message)));
      },
    );
    const limit = opts.timeoutMs ?? 10_000;
    req.on('timeout', () => req.destroy(new Error(`no answer within ${limit} ms`)));
    // The socket timeout is per pause; a server dripping bytes is cut off by the whole deadline.
    const deadline = setTimeout(() => req.destroy(new Error(`not complete within ${limit} ms`)), limit);
    req.on('close', () => clearTimeout(deadline));
    req.on('error', (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'BERTH_PRIVATE_ADDRESS'
          ? refuse(`${err.message} (see BERTH_TEMPLATE_IMPORT_PRIVATE)`)
          : refuse(err.message),
      );
    });
  });
}
