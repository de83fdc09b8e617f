import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthService } from '../../../server/src/auth/auth-service.js';
import { openMemoryDatabase, type Database } from '../../../server/src/auth/database.js';
import { LoginThrottle } from '../../../server/src/auth/login-throttle.js';
import { UserStore } from '../../../server/src/auth/user-store.js';
import { AppError } from '../../../server/src/errors.js';
import { silentLogger } from '../../../server/src/logger.js';

const ADMIN = { username: 'admin', password: 'admin-password-1' };
const IP = '203.0.113.7';

let db: Database;
let users: UserStore;
let clock: number;
let auth: AuthService;

beforeEach(() => {
  db = openMemoryDatabase();
  users = new UserStore(db);
  clock = Date.UTC(2026, 0, 1);
  auth = new AuthService({ users, throttle: new LoginThrottle({ now: () => clock }), log: silentLogger() });
});
afterEach(() => db.close());

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

describe('AuthService setup and status', () => {
  it('asks for setup until the first user exists, then refuses setup', async () => {
    expect(auth.status(null)).toEqual({ setupRequired: true, user: null });
    expect(await auth.setup(ADMIN)).toEqual({ username: 'admin' });
    expect(auth.status(null)).toEqual({ setupRequired: false, user: null });
    expect(auth.status({ username: 'admin' })).toEqual({ setupRequired: false, user: { username: 'admin' } });
    const again = await rejection(auth.setup({ username: 'evil', password: 'long enough pw' }));
    expect(again.code).toBe('FORBIDDEN');
    expect(again.message).toBe('setup is already done');
    expect(users.count()).toBe(1);
  });

  it('lets only one of two concurrent setups win', async () => {
    const results = await Promise.allSettled([
      auth.setup({ username: 'one', password: 'password-one' }),
      auth.setup({ username: 'two', password: 'password-two' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(users.count()).toBe(1);
  });

  it('checks the password policy itself', async () => {
    const err = await rejection(auth.setup({ username: 'me', password: 'short' }));
    expect(err.code).toBe('BAD_REQUEST');
    expect(err.message).toMatch(/at least 8 characters/);
    expect(users.count()).toBe(0);
  });

  it('drops a session user who no longer exists', () => {
    expect(auth.status({ username: 'ghost' })).toEqual({ setupRequired: true, user: null });
  });
});

describe('AuthService.login', () => {
  beforeEach(async () => {
    await auth.setup(ADMIN);
  });

  it('returns the stored user name, whatever case was typed', async () => {
    expect(await auth.login(IP, ADMIN)).toEqual({ username: 'admin' });
    expect(await auth.login(IP, { ...ADMIN, username: 'ADMIN' })).toEqual({ username: 'admin' });
  });

  it('answers a wrong password and an unknown user with the same error', async () => {
    const wrong = await rejection(auth.login(IP, { ...ADMIN, password: 'nope-nope' }));
    const unknown = await rejection(auth.login(IP, { username: 'ghost', password: 'x' }));
    for (const err of [wrong, unknown]) {
      expect(err.code).toBe('UNAUTHENTICATED');
      expect(err.message).toBe('invalid user name or password');
    }
  });

  it('throttles after 5 failures, even the right password, but not from another address', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await rejection(auth.login(IP, { ...ADMIN, password: `guess-${i}` }))).code).toBe(
        'UNAUTHENTICATED',
      );
    }
    const throttled = await rejection(auth.login(IP, ADMIN));
    expect(throttled.code).toBe('THROTTLED');
    expect(throttled.details).toEqual({ retryAfterSeconds: 30 });
    expect(await auth.login('198.51.100.2', ADMIN)).toEqual({ username: 'admin' });
    clock += 30_000;
    expect(await auth.login(IP, ADMIN)).toEqual({ username: 'admin' });
  });

  it('counts failures for unknown users too', async () => {
    // A low address-wide limit keeps this fast; the default of 20 is covered by the throttle tests.
    const throttle = new LoginThrottle({ now: () => clock, addressLimit: 3 });
    const strict = new AuthService({ users, throttle, log: silentLogger() });
    for (let i = 0; i < 3; i++)
      await rejection(strict.login(IP, { username: `user${i}`, password: 'password' }));
    expect((await rejection(strict.login(IP, ADMIN))).code).toBe('THROTTLED');
  });

  it('refuses more than a few parallel attempts from one address', async () => {
    const attempts = Array.from({ length: 6 }, (_, i) =>
      rejection(auth.login(IP, { ...ADMIN, password: `parallel-${i}` })),
    );
    const codes = (await Promise.all(attempts)).map((e) => e.code);
    expect(codes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(4);
    expect(codes.filter((c) => c === 'THROTTLED')).toHaveLength(2);
    // The slots free up once the checks finish.
    expect(await auth.login('198.51.100.2', ADMIN)).toEqual({ username: 'admin' });
  });
});

describe('AuthService.changePassword', () => {
  beforeEach(async () => {
    await auth.setup(ADMIN);
  });

  it('changes the password only with the right current one', async () => {
    const wrong = await rejection(
      auth.changePassword('admin', { currentPassword: 'wrong-one', newPassword: 'new password 2' }, IP),
    );
    expect(wrong.code).toBe('FORBIDDEN');
    expect(wrong.message).toBe('the current password is wrong');

    await auth.changePassword(
      'admin',
      { currentPassword: ADMIN.password, newPassword: 'new password 2' },
      IP,
    );
    expect((await rejection(auth.login(IP, ADMIN))).code).toBe('UNAUTHENTICATED');
    expect(await auth.login(IP, { username: 'admin', password: 'new password 2' })).toEqual({
      username: 'admin',
    });
  });

  it('enforces the password policy on the new password', async () => {
    const err = await rejection(
      auth.changePassword('admin', { currentPassword: ADMIN.password, newPassword: 'short' }),
    );
    expect(err.code).toBe('BAD_REQUEST');
  });

  it('throttles guessing the current password like logins', async () => {
    for (let i = 0; i < 5; i++) {
      await rejection(
        auth.changePassword('admin', { currentPassword: `guess-${i}`, newPassword: 'new password 2' }, IP),
      );
    }
    const err = await rejection(
      auth.changePassword('admin', { currentPassword: ADMIN.password, newPassword: 'new password 2' }, IP),
    );
    expect(err.code).toBe('THROTTLED');
  });

  it('answers UNAUTHENTICATED for a user that no longer exists', async () => {
    const err = await rejection(
      auth.changePassword('ghost', { currentPassword: 'whatever', newPassword: 'new password 2' }),
    );
    expect(err.code).toBe('UNAUTHENTICATED');
  });
});

describe('AuthService.ensureAdmin', () => {
  it('creates the admin only when there is no user', async () => {
    expect(await auth.ensureAdmin('admin', 'admin-password-1')).toBe(true);
    expect(await auth.login(IP, ADMIN)).toEqual({ username: 'admin' });
    expect(await auth.ensureAdmin('admin', 'another-password')).toBe(false);
    expect(await auth.ensureAdmin('other', 'another-password')).toBe(false);
    expect(await auth.login(IP, ADMIN)).toEqual({ username: 'admin' });
    expect(users.count()).toBe(1);
  });

  it('rejects an invalid name or a weak password, naming the variable', async () => {
    const name = await rejection(auth.ensureAdmin('bad name!', 'admin-password-1'));
    expect(name.code).toBe('BAD_REQUEST');
    expect(name.message).toMatch(/^BERTH_ADMIN_USER: /);
    const pw = await rejection(auth.ensureAdmin('admin', 'short'));
    expect(pw.message).toMatch(/^BERTH_ADMIN_PASSWORD: /);
    expect(users.count()).toBe(0);
  });
});
