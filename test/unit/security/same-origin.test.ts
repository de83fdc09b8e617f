import { describe, expect, it } from 'vitest';
import { fromOwnOrigin, servedHost, type TrustFn } from '../../../server/src/http/same-origin.js';

const trustLoopback: TrustFn = (addr) => addr === '127.0.0.1';
const trustNone: TrustFn = () => false;

describe('fromOwnOrigin', () => {
  it('accepts an Origin naming the host Berth is served on', () => {
    expect(fromOwnOrigin({ host: 'nas:5001', origin: 'http://nas:5001' }, '10.0.0.2', trustNone)).toBe(true);
    expect(fromOwnOrigin({ host: 'NAS:5001', origin: 'https://nas:5001' }, '10.0.0.2', trustNone)).toBe(true);
  });

  it('refuses another port of the same host, another host, a null or missing origin', () => {
    const peer = '10.0.0.2';
    expect(fromOwnOrigin({ host: 'nas:5001', origin: 'http://nas:8080' }, peer, trustNone)).toBe(false);
    expect(fromOwnOrigin({ host: 'nas:5001', origin: 'http://evil.example:8080' }, peer, trustNone)).toBe(
      false,
    );
    expect(fromOwnOrigin({ host: 'nas:5001', origin: 'null' }, peer, trustNone)).toBe(false);
    expect(fromOwnOrigin({ host: 'nas:5001' }, peer, trustNone)).toBe(false);
    expect(fromOwnOrigin({ host: 'nas:5001', origin: 'not a url' }, peer, trustNone)).toBe(false);
  });

  it('falls back to Referer only when there is no Origin', () => {
    expect(fromOwnOrigin({ host: 'nas:5001', referer: 'http://nas:5001/stacks/a' }, 'p', trustNone)).toBe(
      true,
    );
    expect(fromOwnOrigin({ host: 'nas:5001', referer: 'http://evil:5001/' }, 'p', trustNone)).toBe(false);
  });

  it('believes X-Forwarded-Host only from a trusted proxy', () => {
    const headers = {
      host: 'berth:5001',
      origin: 'https://evil.example',
      'x-forwarded-host': 'evil.example',
    };
    expect(fromOwnOrigin(headers, '10.9.9.9', trustLoopback)).toBe(false);
    expect(fromOwnOrigin(headers, '127.0.0.1', trustLoopback)).toBe(true);
    expect(servedHost({ host: 'a', 'x-forwarded-host': 'b, c' }, '127.0.0.1', trustLoopback)).toBe('b');
  });
});
