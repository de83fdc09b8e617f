import { beforeEach, describe, expect, it } from 'vitest';
import {
  LoginThrottle,
  addressKey,
  type LoginThrottleOptions,
} from '../../../server/src/auth/login-throttle.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;

let clock: number;
const throttle = (options: LoginThrottleOptions = {}): LoginThrottle =>
  new LoginThrottle({ now: () => clock, ...options });

function failTimes(t: LoginThrottle, n: number, ip: string, username: string): void {
  for (let i = 0; i < n; i++) t.fail(ip, username);
}

beforeEach(() => {
  clock = Date.UTC(2026, 0, 1);
});

describe('LoginThrottle', () => {
  it('blocks an address and user name pair after 5 failures, with a Retry-After', () => {
    const t = throttle();
    failTimes(t, 4, '203.0.113.7', 'admin');
    expect(t.check('203.0.113.7', 'admin')).toEqual({ allowed: true });
    t.fail('203.0.113.7', 'admin');
    expect(t.check('203.0.113.7', 'admin')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    clock += 10 * SECOND;
    expect(t.check('203.0.113.7', 'admin')).toEqual({ allowed: false, retryAfterSeconds: 20 });
  });

  it('never blocks the same user from another address, nor other users from that address', () => {
    const t = throttle();
    failTimes(t, 10, '203.0.113.7', 'admin');
    expect(t.check('203.0.113.7', 'admin').allowed).toBe(false);
    expect(t.check('198.51.100.2', 'admin')).toEqual({ allowed: true });
    expect(t.check('203.0.113.7', 'someone-else')).toEqual({ allowed: true });
  });

  it('treats user names without regard to case', () => {
    const t = throttle();
    for (const name of ['admin', 'Admin', 'ADMIN', 'aDmin', 'admiN']) t.fail('203.0.113.7', name);
    expect(t.check('203.0.113.7', 'admin').allowed).toBe(false);
  });

  it('blocks an address after 20 failures across many user names', () => {
    const t = throttle();
    for (let i = 0; i < 19; i++) t.fail('203.0.113.9', `user${i}`);
    expect(t.check('203.0.113.9', 'fresh')).toEqual({ allowed: true });
    t.fail('203.0.113.9', 'user19');
    expect(t.check('203.0.113.9', 'fresh')).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(t.check('198.51.100.3', 'user0')).toEqual({ allowed: true });
  });

  it('doubles the block on each failure after the first block, up to 15 minutes', () => {
    const t = throttle();
    failTimes(t, 5, '203.0.113.7', 'admin');
    const seen: number[] = [];
    for (let i = 0; i < 7; i++) {
      const v = t.check('203.0.113.7', 'admin');
      if (v.allowed) throw new Error('expected a block');
      seen.push(v.retryAfterSeconds);
      clock += v.retryAfterSeconds * SECOND;
      expect(t.check('203.0.113.7', 'admin')).toEqual({ allowed: true });
      t.fail('203.0.113.7', 'admin');
    }
    expect(seen).toEqual([30, 60, 120, 240, 480, 900, 900]);
  });

  it('forgets everything once a pair has been quiet for the window after its block', () => {
    const t = throttle();
    failTimes(t, 5, '203.0.113.7', 'admin');
    clock += 30 * SECOND; // block over, but the failures still count
    t.fail('203.0.113.7', 'admin');
    expect(t.check('203.0.113.7', 'admin')).toEqual({ allowed: false, retryAfterSeconds: 60 });
    clock += 60 * SECOND + 15 * MINUTE;
    t.fail('203.0.113.7', 'admin');
    expect(t.check('203.0.113.7', 'admin')).toEqual({ allowed: true });
    failTimes(t, 4, '203.0.113.7', 'admin');
    expect(t.check('203.0.113.7', 'admin')).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });

  it('only counts failures inside the 15 minute window', () => {
    const t = throttle();
    failTimes(t, 4, '203.0.113.7', 'admin');
    clock += 15 * MINUTE;
    failTimes(t, 4, '203.0.113.7', 'admin');
    expect(t.check('203.0.113.7', 'admin')).toEqual({ allowed: true });
    t.fail('203.0.113.7', 'admin');
    expect(t.check('203.0.113.7', 'admin').allowed).toBe(false);
  });

  it('a success clears the pair but not the address-wide count', () => {
    const t = throttle();
    failTimes(t, 4, '203.0.113.7', 'admin');
    t.succeed('203.0.113.7', 'admin');
    failTimes(t, 4, '203.0.113.7', 'admin');
    expect(t.check('203.0.113.7', 'admin')).toEqual({ allowed: true });
    // 8 failures so far count for the address; 12 more on other names block it.
    for (let i = 0; i < 12; i++) t.fail('203.0.113.7', `other${i}`);
    expect(t.check('203.0.113.7', 'admin').allowed).toBe(false);
  });

  it('counts an IPv6 /64 as one client and IPv4-mapped addresses as IPv4', () => {
    const t = throttle();
    for (let i = 1; i <= 5; i++) t.fail(`2001:db8:1:2::${i}`, 'admin');
    expect(t.check('2001:db8:1:2:ffff::9', 'admin').allowed).toBe(false);
    expect(t.check('2001:db8:1:3::1', 'admin')).toEqual({ allowed: true });
    failTimes(t, 5, '::ffff:192.0.2.1', 'admin');
    expect(t.check('192.0.2.1', 'admin').allowed).toBe(false);
  });

  it('keeps memory bounded', () => {
    const t = throttle({ maxEntries: 100 });
    for (let i = 0; i < 1000; i++) t.fail(`10.0.${i >> 8}.${i & 255}`, `user${i}`);
    expect(t.size.pairs).toBeLessThanOrEqual(100);
    expect(t.size.addresses).toBeLessThanOrEqual(100);
    // The newest entries survive eviction.
    failTimes(t, 4, '10.0.3.231', 'user999');
    expect(t.check('10.0.3.231', 'user999').allowed).toBe(false);
  });

  it('prunes entries that went quiet', () => {
    const t = throttle();
    for (let i = 0; i < 50; i++) t.fail(`10.1.0.${i}`, 'admin');
    clock += 16 * MINUTE;
    t.fail('10.2.0.1', 'admin');
    expect(t.size).toEqual({ pairs: 1, addresses: 1 });
  });
});

describe('addressKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:DB8:0:0:1:2:3:4', '2001:db8:0:0::/64'],
    ['2001:db8:aa:bb:cc::', '2001:db8:aa:bb::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['unknown', 'unknown'],
  ])('%s → %s', (ip, key) => {
    expect(addressKey(ip)).toBe(key);
  });
});
