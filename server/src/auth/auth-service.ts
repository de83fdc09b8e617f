import type { z } from 'zod';
import {
  type AuthStatus,
  ChangePasswordRequest,
  Credentials,
  Password,
  SetupRequest,
  Username,
  type SessionUser,
} from '../../../common/api.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { addressKey, type LoginThrottle } from './login-throttle.js';
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from './password-hash.js';
import { NO_PASSWORD, type UserRecord, type UserStore } from './user-store.js';

export interface AuthServiceDeps {
  users: UserStore;
  throttle: LoginThrottle;
  log: Logger;
}

/**
 * Password checks running at once per client address. The throttle only counts finished
 * attempts, so without this a burst of parallel requests would all pass its check.
 */
const MAX_PENDING_PER_ADDRESS = 4;

function parse<T extends z.ZodType>(schema: T, value: unknown, what = ''): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = [what, ...(issue?.path ?? []).map(String)].filter(Boolean).join(' ');
  throw new AppError('BAD_REQUEST', `${where ? `${where}: ` : ''}${issue?.message ?? 'is invalid'}`);
}

/** Users, setup, login and password changes. Sessions themselves belong to the transport. */
export class AuthService {
  private readonly users: UserStore;
  private readonly throttle: LoginThrottle;
  private readonly log: Logger;
  private readonly pending = new Map<string, number>();

  constructor(deps: AuthServiceDeps) {
    this.users = deps.users;
    this.throttle = deps.throttle;
    this.log = deps.log;
  }

  /** `user` is what the session holds; it is dropped when that user no longer exists. */
  status(user: SessionUser | null): AuthStatus {
    const record = user ? this.users.find(user.username) : null;
    return { setupRequired: this.users.count() === 0, user: record ? { username: record.username } : null };
  }

  /** Creates the first user; once any user exists, setup is closed for good. */
  async setup(request: SetupRequest): Promise<SessionUser> {
    const { username, password } = parse(SetupRequest, request);
    if (this.users.count() > 0) throw new AppError('FORBIDDEN', 'setup is already done');
    const hash = await hashPassword(password);
    // Checked again atomically: another setup may have won while this one was hashing.
    const created = this.users.createFirst(username, hash);
    if (!created) throw new AppError('FORBIDDEN', 'setup is already done');
    this.log.info({ username: created.username }, 'first user created by setup');
    return { username: created.username };
  }

  async login(ip: string, credentials: Credentials): Promise<SessionUser> {
    const { username, password } = parse(Credentials, credentials);
    const user = await this.attempt(ip, username, password);
    if (!user) {
      this.log.warn({ ip, username }, 'failed login');
      throw new AppError('UNAUTHENTICATED', 'invalid user name or password');
    }
    this.log.info({ ip, username: user.username }, 'login');
    await this.upgradeHash(user, password);
    return { username: user.username };
  }

  /**
   * A wrong current password counts as a failed login for (ip, username), so a stolen session
   * cannot be used to guess the password faster than the login form allows.
   */
  async changePassword(username: string, request: ChangePasswordRequest, ip = 'unknown'): Promise<void> {
    const { currentPassword, newPassword } = parse(ChangePasswordRequest, request);
    if (!this.users.find(username)) throw new AppError('UNAUTHENTICATED', 'this user no longer exists');
    const user = await this.attempt(ip, username, currentPassword);
    if (!user) {
      this.log.warn({ ip, username }, 'password change with a wrong current password');
      throw new AppError('FORBIDDEN', 'the current password is wrong');
    }
    this.users.setPasswordHash(user.username, await hashPassword(newPassword));
    this.log.info({ ip, username: user.username }, 'password changed');
  }

  /**
   * For BERTH_ADMIN_USER / BERTH_ADMIN_PASSWORD: creates that user only while there is no user
   * at all, so the environment never overrides a password changed in the UI. True when created.
   */
  async ensureAdmin(username: string, password: string): Promise<boolean> {
    parse(Username, username, 'BERTH_ADMIN_USER');
    parse(Password, password, 'BERTH_ADMIN_PASSWORD');
    if (this.users.count() > 0) {
      this.log.info('users exist; BERTH_ADMIN_USER and BERTH_ADMIN_PASSWORD are ignored');
      return false;
    }
    const created = this.users.createFirst(username, await hashPassword(password));
    if (created) this.log.info({ username: created.username }, 'admin user created from the environment');
    return created !== null;
  }

  /** The user when the password matches, else null; throws THROTTLED before checking anything. */
  private async attempt(ip: string, username: string, password: string): Promise<UserRecord | null> {
    const verdict = this.throttle.check(ip, username);
    if (!verdict.allowed) {
      const { retryAfterSeconds } = verdict;
      this.log.warn({ ip, username, retryAfterSeconds }, 'login throttled');
      throw new AppError('THROTTLED', `too many failed logins; try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
    const key = addressKey(ip);
    const running = this.pending.get(key) ?? 0;
    if (running >= MAX_PENDING_PER_ADDRESS) {
      throw new AppError('THROTTLED', 'too many logins at once; try again in 1 s', { retryAfterSeconds: 1 });
    }
    this.pending.set(key, running + 1);
    try {
      const found = this.users.find(username);
      // A disabled or invited (no password yet) user cannot log in, like an unknown one.
      const user = found && !found.disabled && found.passwordHash !== NO_PASSWORD ? found : null;
      // An unknown user costs a full scrypt too, so response times do not reveal which names exist.
      const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
      if (user && ok) {
        this.throttle.succeed(ip, username);
        return user;
      }
      this.throttle.fail(ip, username);
      return null;
    } finally {
      const left = (this.pending.get(key) ?? 1) - 1;
      if (left > 0) this.pending.set(key, left);
      else this.pending.delete(key);
    }
  }

  /** Re-hashes with the current parameters after a good login; failure only costs a log line. */
  private async upgradeHash(user: UserRecord, password: string): Promise<void> {
    if (!needsRehash(user.passwordHash)) return;
    try {
      this.users.setPasswordHash(user.username, await hashPassword(password));
      this.log.info({ username: user.username }, 'password hash upgraded');
    } catch (err) {
      this.log.warn({ err, username: user.username }, 'could not upgrade the password hash');
    }
  }
}
