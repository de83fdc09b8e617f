import { describe, expect, it } from 'vitest';
import { chooseEncoding } from '../../../server/src/http/precompressed.js';

const BOTH = ['br', 'gzip'] as const;

describe('chooseEncoding (Accept-Encoding with q-values)', () => {
  it('prefers brotli, then gzip, when both are equally welcome', () => {
    expect(chooseEncoding('gzip, deflate, br', BOTH)).toBe('br');
    expect(chooseEncoding('gzip, deflate, br, zstd', ['gzip'])).toBe('gzip');
  });

  it('follows q-values', () => {
    expect(chooseEncoding('br;q=0.1, gzip;q=0.9', BOTH)).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip', BOTH)).toBe('gzip');
    expect(chooseEncoding('gzip;q=0.5, identity;q=0.8', BOTH)).toBe('identity');
    expect(chooseEncoding('BR ; Q=1.0', BOTH)).toBe('br');
  });

  it('reads * for whatever is not named, and x-gzip as gzip', () => {
    expect(chooseEncoding('*', BOTH)).toBe('br');
    expect(chooseEncoding('br;q=0, *;q=0.5', BOTH)).toBe('gzip');
    expect(chooseEncoding('x-gzip', BOTH)).toBe('gzip');
  });

  it('sends the file as it is without a header, to identity-only clients, or when nothing else fits', () => {
    expect(chooseEncoding(undefined, BOTH)).toBe('identity');
    expect(chooseEncoding('', BOTH)).toBe('identity');
    expect(chooseEncoding('identity', BOTH)).toBe('identity');
    expect(chooseEncoding('deflate', BOTH)).toBe('identity');
    expect(chooseEncoding('br', ['gzip'])).toBe('identity');
    expect(chooseEncoding('*;q=0', BOTH)).toBe('identity');
  });
});
