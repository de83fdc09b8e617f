import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { ROLES, type Permission, type Role } from '../../../common/permissions.js';
import type {
  AuthUser,
  CreateTokenRequest,
  CreateUserRequest,
  TokenInfo,
  UpdateUserRequest,
  UserInfo,
} from '../../../common/users.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AccessEvents } from './access-events.js';
import type { InviteStore } from './invite-store.js';
import type { LoginThrottle } from './login-throttle.js';
import { hashPassword } from './password-hash.js';
import { intersectScopes, scopeWithin, type StackScope } from './stack-scope.js';
import type { TokenRecord, TokenStore } from './token-store.js';
import { NO_PASSWORD, type UserRecord, type UserStore } from './user-store.js';

/** Who someone is and what they may do, however they proved it. */
export interface Identity {
  username: string;
  permissions: readonly Permission[];
  /** `session`, or `token:<name>`. */
  via: string;
  /** Stack names/globs they are limited to; null: all. */
  scope: StackScope;
  tokenId?: string;
}

/** A token that did not let its bearer in, told apart enough for the audit log. */
export interface TokenRefusal {
  user: string | null;
  via: string;
  reason: string;
}

export type TokenResult = { ok: true; identity: Identity } | { ok: false; refusal: TokenRefusal };

export const TOKEN_PATTERN = /^(berth_[a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;
const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;
/** Failed token attempts share the login throttle's rules under this pseudo user name. */
const TOKEN_THROTTLE_KEY = '\u0000token';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

const permissionsOf = (role: Role): readonly Permission[] => ROLES[role];
const within = (inner: readonly Permission[], outer: readonly Permission[]): boolean =>
  inner.every((p) => outer.includes(p));

function randomPrefix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(8)].map((b) => alphabet[b % alphabet.length]).join('');
}

export interface AccessServiceDeps {
  users: UserStore;
  tokens: TokenStore;
  invites: InviteStore;
  throttle: LoginThrottle;
  events: AccessEvents;
  log: Logger;
  now?: () => Date;
}

/**
 * Principals (from a session's user or an API token, reloaded on every request so a role change
 * or a disable applies at once), users with roles and invites, and API tokens.
 */
export class AccessService {
  private readonly now: () => Date;

  constructor(private readonly deps: AccessServiceDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  get events(): AccessEvents {
    return this.deps.events;
  }

  // ---- principals ----

  /** A session's user as they are now; null when gone or disabled. */
  userIdentity(username: string): Identity | null {
    const user = this.deps.users.find(username);
    if (!user || user.disabled) return null;
    return {
      username: user.username,
      permissions: permissionsOf(user.role),
      via: 'session',
      scope: user.stacks,
    };
  }

  /**
   * The identity behind a bearer token: live, unexpired, its owner enabled. Permissions are the
   * token's role within its owner's, scope the token's within its owner's. Failed attempts count
   * against the client address like failed logins; a blocked address is THROTTLED.
   */
  tokenIdentity(token: string, address: string): TokenResult {
    const verdict = this.deps.throttle.check(address, TOKEN_THROTTLE_KEY);
    if (!verdict.allowed) {
      throw new AppError(
        'THROTTLED',
        `too many failed token attempts; try again in ${verdict.retryAfterSeconds} s`,
        {
          retryAfterSeconds: verdict.retryAfterSeconds,
        },
      );
    }
    const refuse = (reason: string, record?: TokenRecord): TokenResult => {
      this.deps.throttle.fail(address, TOKEN_THROTTLE_KEY);
      // Never the token itself: at most its public prefix.
      this.deps.log.warn({ address, prefix: record?.prefix, reason }, 'token refused');
      return {
        ok: false,
        refusal: { user: record?.username ?? null, via: record ? `token:${record.name}` : 'token', reason },
      };
    };
    const m = TOKEN_PATTERN.exec(token);
    if (!m?.[1]) return refuse('malformed');
    const record = this.deps.tokens.byPrefix(m[1]);
    if (!record || !sameHash(record.hash, sha256(token))) return refuse('unknown');
    if (record.revokedAt) return refuse('revoked', record);
    const now = this.now();
    if (record.expiresAt && Date.parse(record.expiresAt) <= now.getTime()) return refuse('expired', record);
    const owner = this.deps.users.find(record.username);
    if (!owner || owner.disabled) return refuse('owner disabled', record);
    this.deps.tokens.markUsed(record.id, now.toISOString(), address);
    return { ok: true, identity: tokenIdentityOf(record, owner) };
  }

  /**
   * What someone already signed in (a socket) may do now: the same user or token looked up again;
   * null when the user is gone or disabled, or the token revoked or expired.
   */
  refresh(identity: { username: string; tokenId?: string }): Identity | null {
    if (identity.tokenId === undefined) return this.userIdentity(identity.username);
    const record = this.deps.tokens.byId(identity.tokenId);
    if (!record || record.revokedAt) return null;
    if (record.expiresAt && Date.parse(record.expiresAt) <= this.now().getTime()) return null;
    const owner = this.deps.users.find(record.username);
    if (!owner || owner.disabled) return null;
    return tokenIdentityOf(record, owner);
  }

  /** What the SPA is told about the signed-in user. */
  describe(username: string): AuthUser | null {
    const user = this.deps.users.find(username);
    if (!user || user.disabled) return null;
    return {
      username: user.username,
      role: user.role,
      permissions: [...permissionsOf(user.role)],
      stacks: user.stacks,
    };
  }

  // ---- users ----

  listUsers(): UserInfo[] {
    return this.deps.users.list().map(userInfo);
  }

  /** Creates a user; without a password, also a one-time invite token (its hash is stored). */
  async createUser(req: CreateUserRequest): Promise<{ user: UserInfo; inviteToken: string | null }> {
    const passwordHash = req.password ? await hashPassword(req.password) : NO_PASSWORD;
    const user = this.deps.users.add({
      username: req.username,
      passwordHash,
      role: req.role,
      stacks: req.stacks ?? null,
    });
    let inviteToken: string | null = null;
    if (!req.password) {
      inviteToken = randomBytes(32).toString('base64url');
      this.deps.invites.add(sha256(inviteToken), user.username, this.now().getTime() + INVITE_TTL_MS);
    }
    this.deps.log.info(
      { username: user.username, role: user.role, invited: inviteToken !== null },
      'user created',
    );
    return { user: userInfo(user), inviteToken };
  }

  updateUser(username: string, changes: UpdateUserRequest): UserInfo {
    const user = this.deps.users.update(username, changes);
    this.deps.log.info({ username: user.username, ...changes }, 'user changed');
    this.deps.events.userChanged(user.username);
    return userInfo(user);
  }

  deleteUser(username: string): void {
    const user = this.deps.users.find(username);
    if (!user) throw new AppError('NOT_FOUND', `there is no user "${username}"`);
    this.deps.users.delete(user.username);
    this.deps.log.info({ username: user.username }, 'user deleted');
    this.deps.events.userChanged(user.username);
  }

  /** Sets the password of an invited user; the invite is used up. Returns the user name. */
  async acceptInvite(token: string, password: string): Promise<string> {
    const username = this.deps.invites.take(sha256(token), this.now().getTime());
    const user = username ? this.deps.users.find(username) : null;
    if (!user || user.disabled) throw new AppError('NOT_FOUND', 'this invite is used up, expired or unknown');
    this.deps.users.setPasswordHash(user.username, await hashPassword(password));
    this.deps.log.info({ username: user.username }, 'invite accepted');
    return user.username;
  }

  // ---- tokens ----

  /** A caller's own tokens; `of` another user's (or null: everyone's) needs the admin permission. */
  listTokens(caller: Identity, of?: string | null): TokenInfo[] {
    const target = of === undefined ? caller.username : of;
    if (target === null || target.toLowerCase() !== caller.username.toLowerCase()) {
      if (!caller.permissions.includes('admin')) {
        throw new AppError('FORBIDDEN', 'other users\' tokens need the "admin" permission');
      }
    }
    return this.deps.tokens.list(target).map(tokenInfo);
  }

  /** A new token for the caller, never more than the caller may do; the whole token is told once. */
  createToken(caller: Identity, req: CreateTokenRequest): { id: string; token: string; prefix: string } {
    if (!within(permissionsOf(req.role), caller.permissions)) {
      throw new AppError('FORBIDDEN', `a token's role cannot be higher than your own ("${req.role}" is)`);
    }
    const stacks = req.stacks === undefined ? caller.scope : req.stacks;
    if (!scopeWithin(stacks, caller.scope)) {
      throw new AppError('FORBIDDEN', "a token's stacks must lie within your own");
    }
    if (req.expiresAt && Date.parse(req.expiresAt) <= this.now().getTime()) {
      throw new AppError('BAD_REQUEST', 'expiresAt is in the past');
    }
    const prefix = `berth_${randomPrefix()}`;
    const token = `${prefix}_${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    this.deps.tokens.add({
      id,
      username: caller.username,
      name: req.name,
      role: req.role,
      prefix,
      hash: sha256(token),
      stacks: stacks === null ? null : [...stacks],
      expiresAt: req.expiresAt ? new Date(req.expiresAt).toISOString() : null,
      createdAt: this.now().toISOString(),
    });
    this.deps.log.info({ username: caller.username, id, prefix, role: req.role }, 'token created');
    return { id, token, prefix };
  }

  /** Revokes one's own token, or anyone's with the admin permission; unknown ones are NOT_FOUND. */
  revokeToken(caller: Identity, id: string): void {
    const record = this.deps.tokens.byId(id);
    const mine = record?.username.toLowerCase() === caller.username.toLowerCase();
    if (!record || (!mine && !caller.permissions.includes('admin'))) {
      throw new AppError('NOT_FOUND', `no token "${id}"`);
    }
    if (this.deps.tokens.revoke(id, this.now().toISOString())) {
      this.deps.log.info({ username: caller.username, id, prefix: record.prefix }, 'token revoked');
    }
    this.deps.events.tokenRevoked(id);
  }
}

function tokenIdentityOf(record: TokenRecord, owner: UserRecord): Identity {
  const ownerPermissions = permissionsOf(owner.role);
  return {
    username: owner.username,
    permissions: permissionsOf(record.role).filter((p) => ownerPermissions.includes(p)),
    via: `token:${record.name}`,
    scope: intersectScopes(record.stacks, owner.stacks),
    tokenId: record.id,
  };
}

function userInfo(u: UserRecord): UserInfo {
  return {
    username: u.username,
    role: u.role,
    disabled: u.disabled,
    stacks: u.stacks,
    hasPassword: u.passwordHash !== NO_PASSWORD,
    createdAt: u.createdAt,
  };
}

function tokenInfo(t: TokenRecord): TokenInfo {
  return {
    id: t.id,
    username: t.username,
    name: t.name,
    role: t.role,
    prefix: t.prefix,
    stacks: t.stacks,
    expiresAt: t.expiresAt,
    createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt,
    lastUsedAddress: t.lastUsedAddress,
    revokedAt: t.revokedAt,
  };
}
