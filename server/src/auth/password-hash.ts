import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// OWASP's scrypt floor is N=2^17 with r=8; 2^15 keeps a login near 50-100 ms on a small home
// server while still costing an attacker 32 MiB per guess.
const COST = 2 ** 15;
const BLOCK_SIZE = 8;
const PARALLELIZATION = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 64;

// Bounds for parameters read back from the database, so a tampered row cannot make a login
// allocate gigabytes or spin for minutes.
const MAX_COST = 2 ** 20;
const MAX_BLOCK_SIZE = 32;
const MAX_PARALLELIZATION = 16;

interface Params {
  N: number;
  r: number;
  p: number;
}

/** What OpenSSL's scrypt allocates (128·r·(N+p+2) bytes), plus headroom; Node's default cap is 32 MiB. */
function maxmemFor({ N, r, p }: Params): number {
  return 128 * r * (N + p + 2) + 1024 * 1024;
}

function derive(password: string, salt: Buffer, keylen: number, params: Params): Promise<Buffer> {
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: maxmemFor(params) };
  // NFC so the same password typed on different systems (composed vs decomposed accents) matches.
  const normalized = password.normalize('NFC');
  return new Promise((resolve, reject) => {
    scrypt(normalized, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

function encode(params: Params, salt: Buffer, hash: Buffer): string {
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function parseInteger(s: string | undefined, max: number): number | null {
  if (s === undefined || !/^[1-9]\d{0,9}$/.test(s)) return null;
  const n = Number(s);
  return n <= max ? n : null;
}

function decode(encoded: string): { params: Params; salt: Buffer; hash: Buffer } | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const N = parseInteger(parts[1], MAX_COST);
  const r = parseInteger(parts[2], MAX_BLOCK_SIZE);
  const p = parseInteger(parts[3], MAX_PARALLELIZATION);
  // scrypt needs N to be a power of two greater than 1.
  if (N === null || N < 2 || (N & (N - 1)) !== 0 || r === null || p === null) return null;
  const [saltB64 = '', hashB64 = ''] = parts.slice(4);
  if (!BASE64.test(saltB64) || !BASE64.test(hashB64)) return null;
  const salt = Buffer.from(saltB64, 'base64');
  const hash = Buffer.from(hashB64, 'base64');
  if (salt.length < 8 || hash.length < 16 || hash.length > 256) return null;
  return { params: { N, r, p }, salt, hash };
}

const current: Params = { N: COST, r: BLOCK_SIZE, p: PARALLELIZATION };

/** `scrypt$N$r$p$salt$hash` (base64), with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return encode(current, salt, await derive(password, salt, KEY_BYTES, current));
}

/** True when `password` matches `encoded`; false for a wrong password or a malformed encoding. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const parsed = decode(encoded);
  if (!parsed) return false;
  try {
    const key = await derive(password, parsed.salt, parsed.hash.length, parsed.params);
    return timingSafeEqual(key, parsed.hash);
  } catch {
    return false;
  }
}

/**
 * A well-formed hash with the current parameters that no known password matches. Verifying an
 * unknown user's password against it costs as much as a real check, so timing reveals nothing.
 */
export const DUMMY_HASH = encode(current, Buffer.alloc(SALT_BYTES, 0x5a), Buffer.alloc(KEY_BYTES, 0xa5));

/** True when `encoded` uses older parameters than new hashes do, so a login could upgrade it. */
export function needsRehash(encoded: string): boolean {
  const parsed = decode(encoded);
  return (
    !parsed ||
    parsed.params.N !== current.N ||
    parsed.params.r !== current.r ||
    parsed.params.p !== current.p ||
    parsed.hash.length !== KEY_BYTES
  );
}
