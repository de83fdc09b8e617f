import { isIPv4, isIPv6 } from 'node:net';

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface LoginThrottleOptions {
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now?: () => number;
  /** Failures older than this no longer count. */
  windowMs?: number;
  /** Failures for one address and user name within the window before that pair is blocked. */
  pairLimit?: number;
  /** Failures from one address, any user names, within the window before the address is blocked. */
  addressLimit?: number;
  /** The first block; each further block doubles it, up to `maxBlockMs`. */
  baseBlockMs?: number;
  maxBlockMs?: number;
  /** Entries kept per table (pairs, addresses); beyond it the least recently failed go first. */
  maxEntries?: number;
}

const MINUTE = 60_000;

interface Entry {
  /** Timestamps of the latest failures inside the window, oldest first, at most `limit`. */
  failures: number[];
  /** Blocks since the key was last quiet for a window; sets the backoff. */
  blocks: number;
  blockedUntil: number;
  lastFailureAt: number;
}

/** One table of failure counts (per pair or per address) with a size cap. */
class FailureTable {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limit: number,
    private readonly o: Required<Omit<LoginThrottleOptions, 'now' | 'pairLimit' | 'addressLimit'>>,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Milliseconds until `key` may try again; 0 when it is not blocked. */
  blockedFor(key: string, now: number): number {
    const e = this.entries.get(key);
    return e ? Math.max(0, e.blockedUntil - now) : 0;
  }

  fail(key: string, now: number): void {
    const e = this.entries.get(key) ?? { failures: [], blocks: 0, blockedUntil: 0, lastFailureAt: 0 };
    if (this.isStale(e, now)) {
      e.failures = [];
      e.blocks = 0;
    }
    e.failures = e.failures.filter((t) => now - t < this.o.windowMs);
    e.failures.push(now);
    if (e.failures.length > this.limit) e.failures.shift();
    e.lastFailureAt = now;
    // Once blocked, every further failure blocks again, twice as long, until the key goes quiet.
    if (e.blocks > 0 || e.failures.length >= this.limit) {
      e.blocks++;
      const ms = Math.min(this.o.baseBlockMs * 2 ** Math.min(e.blocks - 1, 30), this.o.maxBlockMs);
      e.blockedUntil = Math.max(e.blockedUntil, now + ms);
    }
    // Re-inserting keeps the Map in least-recently-failed order for eviction.
    this.entries.delete(key);
    if (this.entries.size >= this.o.maxEntries) this.evict(now);
    this.entries.set(key, e);
  }

  clear(key: string): void {
    this.entries.delete(key);
  }

  prune(now: number): void {
    for (const [key, e] of this.entries) if (this.isStale(e, now)) this.entries.delete(key);
  }

  /** Quiet for a whole window after its last failure and its last block: nothing to remember. */
  private isStale(e: Entry, now: number): boolean {
    return now - Math.max(e.lastFailureAt, e.blockedUntil) >= this.o.windowMs;
  }

  private evict(now: number): void {
    this.prune(now);
    // Still full (a flood of distinct keys): drop the least recently failed.
    for (const key of this.entries.keys()) {
      if (this.entries.size < this.o.maxEntries) break;
      this.entries.delete(key);
    }
  }
}

/**
 * Counts failed logins per (client address, user name) and per client address. There is
 * deliberately no per-user-name count: the owner logging in from elsewhere is never locked out by
 * someone guessing their password. A distributed guesser is slowed by the cost of scrypt instead.
 */
export class LoginThrottle {
  private readonly now: () => number;
  private readonly pairs: FailureTable;
  private readonly addresses: FailureTable;
  private lastPrune: number;

  constructor(options: LoginThrottleOptions = {}) {
    this.now = options.now ?? Date.now;
    const shared = {
      windowMs: options.windowMs ?? 15 * MINUTE,
      baseBlockMs: options.baseBlockMs ?? 30_000,
      maxBlockMs: options.maxBlockMs ?? 15 * MINUTE,
      maxEntries: options.maxEntries ?? 10_000,
    };
    this.pairs = new FailureTable(options.pairLimit ?? 5, shared);
    this.addresses = new FailureTable(options.addressLimit ?? 20, shared);
    this.lastPrune = this.now();
  }

  check(ip: string, username: string): ThrottleVerdict {
    const now = this.now();
    const address = addressKey(ip);
    const ms = Math.max(
      this.pairs.blockedFor(pairKey(address, username), now),
      this.addresses.blockedFor(address, now),
    );
    return ms > 0
      ? { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(ms / 1000)) }
      : { allowed: true };
  }

  fail(ip: string, username: string): void {
    const now = this.now();
    if (now - this.lastPrune >= MINUTE) {
      this.pairs.prune(now);
      this.addresses.prune(now);
      this.lastPrune = now;
    }
    const address = addressKey(ip);
    this.pairs.fail(pairKey(address, username), now);
    this.addresses.fail(address, now);
  }

  /** Forgets the pair's failures; the address-wide count stays, it covers other user names too. */
  succeed(ip: string, username: string): void {
    this.pairs.clear(pairKey(addressKey(ip), username));
  }

  /** Entries held, for tests and metrics. */
  get size(): { pairs: number; addresses: number } {
    return { pairs: this.pairs.size, addresses: this.addresses.size };
  }
}

// User names are unique ignoring case, so "Admin" and "admin" share a count.
const pairKey = (address: string, username: string): string => `${address}\n${username.toLowerCase()}`;

/**
 * The client part of an address: IPv4 as is (also when IPv4-mapped), IPv6 cut to its /64, since
 * one host usually owns a whole /64 and could otherwise rotate addresses to dodge the count.
 */
export function addressKey(ip: string): string {
  let a = ip.trim().toLowerCase();
  const zone = a.indexOf('%');
  if (zone >= 0) a = a.slice(0, zone);
  if (a.startsWith('::ffff:') && isIPv4(a.slice(7))) return a.slice(7);
  if (!isIPv6(a)) return a;
  const groups = ipv6Groups(a).slice(0, 4);
  return `${groups.map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, in hex. */
function ipv6Groups(address: string): string[] {
  let a = address;
  const lastColon = a.lastIndexOf(':');
  const tail = a.slice(lastColon + 1);
  if (tail.includes('.')) {
    // An embedded IPv4 tail (e.g. 64:ff9b::1.2.3.4) is two groups.
    const [b0 = 0, b1 = 0, b2 = 0, b3 = 0] = tail.split('.').map(Number);
    a = `${a.slice(0, lastColon + 1)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head = '', rest] = a.split('::');
  const front = head ? head.split(':') : [];
  if (rest === undefined) return front;
  const back = rest ? rest.split(':') : [];
  return [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
}
