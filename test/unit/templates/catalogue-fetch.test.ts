import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchCatalogue, isPrivateAddress } from '../../../server/src/templates/catalogue-fetch.js';

describe('private and loopback addresses', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.5.4',
    '172.31.255.255',
    '192.168.0.10',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.1.1.1',
    'not an address',
  ])('%s is refused', (a) => expect(isPrivateAddress(a)).toBe(true));

  it.each(['1.1.1.1', '140.82.112.3', '172.32.0.1', '192.169.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    '%s is public',
    (a) => expect(isPrivateAddress(a)).toBe(false),
  );
});

describe('fetching a catalogue (a server on loopback, private addresses allowed)', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      if (req.url === '/drip') {
        // Bytes keep coming, slower than the deadline allows for the whole body.
        res.writeHead(200, { 'content-type': 'application/json' });
        const timer = setInterval(() => res.write(' '), 50);
        res.on('close', () => clearInterval(timer));
        return;
      }
      if (req.url === '/declared-big') {
        res.writeHead(200, { 'content-length': String(10_000) });
        res.end(' '.repeat(10_000));
        return;
      }
      if (req.url === '/loop') {
        res.writeHead(302, { location: '/loop' }).end();
        return;
      }
      res.end('{"version":"2","templates":[]}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  const opts = { allowPrivate: true, timeoutMs: 500, maxBytes: 1000 };

  it('reads JSON', async () => {
    expect(await fetchCatalogue(`${base}/ok`, opts)).toEqual({ version: '2', templates: [] });
  });
  it('gives up on a server that does not answer', async () => {
    await expect(fetchCatalogue(`${base}/hang`, opts)).rejects.toThrow(/within 500 ms/);
  });
  it('gives up on a body that never ends', async () => {
    await expect(fetchCatalogue(`${base}/drip`, opts)).rejects.toThrow(/within 500 ms/);
  });
  it('refuses a declared length above the cap before reading it', async () => {
    await expect(fetchCatalogue(`${base}/declared-big`, opts)).rejects.toThrow(/larger than 1000 bytes/);
  });
  it('stops following redirects', async () => {
    await expect(fetchCatalogue(`${base}/loop`, opts)).rejects.toThrow(/too many redirects/);
  });
  it('refuses loopback unless allowed', async () => {
    await expect(fetchCatalogue(`${base}/ok`, { ...opts, allowPrivate: false })).rejects.toThrow(
      /private or loopback/,
    );
    const named = base.replace('127.0.0.1', 'localhost');
    await expect(fetchCatalogue(`${named}/ok`, { ...opts, allowPrivate: false })).rejects.toThrow(
      /private address/,
    );
  });
});
