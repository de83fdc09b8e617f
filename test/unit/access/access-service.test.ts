import { beforeEach, describe, expect, it } from 'vitest';
import { AccessEvents } from '../../../server/src/auth/access-events.js';
import { AccessService } from '../../../server/src/auth/access-service.js';
import { AuditLog, auditCsv, auditNdjson } from '../../../server/src/auth/audit-log.js';
import { migrate, openMemoryDatabase, type Database } from '../../../server/src/auth/database.js';
import { InviteStore } from '../../../server/src/auth/invite-store.js';
import { LoginThrottle } from '../../../server/src/auth/login-throttle.js';
import { SettingsStore } from '../../../server/src/auth/settings-store.js';
import { TokenStore } from '../../../server/src/auth/token-store.js';
import { UserStore } from '../../../server/src/auth/user-store.js';
import { AppError } from '../../../server/src/errors.js';
import { silentLogger } from '../../../server/src/logger.js';

let db: Database;
let clock: number;
let access: AccessService;
let events: AccessEvents;
let users: UserStore;
let tokens: TokenStore;

const HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

beforeEach(() => {
  db = openMemoryDatabase();
  clock = Date.parse('2026-01-01T00:00:00Z');
  users = new UserStore(db, () => new Date(clock));
  tokens = new TokenStore(db);
  events = new AccessEvents();
  access = new AccessService({
    users,
    tokens,
    invites: new InviteStore(db),
    throttle: new LoginThrottle({ now: () => clock }),
    events,
    log: silentLogger(),
    now: () => new Date(clock),
  });
  users.add({ username: 'root', passwordHash: HASH, role: 'admin', stacks: null });
  users.add({ username: 'op', passwordHash: HASH, role: 'operator', stacks: ['a', 'shop-*'] });
});

const caught = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
};
const identityOf = (name: string) => {
  const id = access.userIdentity(name);
  if (!id) throw new Error(`no identity for ${name}`);
  return id;
};

describe('migration', () => {
  it('keeps a user created before roles existed an admin', () => {
    const old = openMemoryDatabase();
    // The same database as version 2 (image updates, before roles and hosts) left it, then migrated again:
    // rows survive with role admin.
    old.pragma('user_version = 2');
    old.exec(
      'DROP TABLE hosts; DROP TRIGGER audit_no_update; DROP TRIGGER audit_retention_only; DROP TABLE audit; ' +
        'DROP TABLE tokens; DROP TABLE invites; ALTER TABLE users DROP COLUMN role; ' +
        'ALTER TABLE users DROP COLUMN disabled; ALTER TABLE users DROP COLUMN stacks;',
    );
    old
      .prepare(
        "INSERT INTO users (username, password_hash, created_at, updated_at) VALUES ('x', 'h', 'n', 'n')",
      )
      .run();
    migrate(old);
    expect(new UserStore(old).find('x')).toMatchObject({ role: 'admin', disabled: false, stacks: null });
  });
});

describe('principals of users', () => {
  it('gives a user the permissions of their role and their scope, loaded afresh', () => {
    expect(identityOf('op')).toMatchObject({
      permissions: ['read', 'operate', 'exec'],
      scope: ['a', 'shop-*'],
    });
    access.updateUser('op', { role: 'viewer' });
    expect(identityOf('op').permissions).toEqual(['read']);
    access.updateUser('op', { disabled: true });
    expect(access.userIdentity('op')).toBeNull();
    expect(access.userIdentity('nobody')).toBeNull();
  });

  it('never leaves Berth without an enabled admin', () => {
    expect(caught(() => access.updateUser('root', { role: 'editor' })).code).toBe('CONFLICT');
    expect(caught(() => access.updateUser('root', { disabled: true })).code).toBe('CONFLICT');
    expect(caught(() => access.deleteUser('root')).code).toBe('CONFLICT');
    expect(identityOf('root').permissions).toContain('admin');
    access.updateUser('op', { role: 'admin' });
    access.updateUser('root', { disabled: true });
    expect(access.userIdentity('root')).toBeNull();
  });

  it('tells listeners about every change of a user', () => {
    const seen: string[] = [];
    events.onUserChanged((u) => seen.push(u));
    access.updateUser('op', { stacks: null });
    access.deleteUser('op');
    expect(seen).toEqual(['op', 'op']);
  });

  it('invites: one use, expires after 7 days, the user cannot log in before', async () => {
    const { user, inviteToken } = await access.createUser({ username: 'new', role: 'viewer' });
    expect(user.hasPassword).toBe(false);
    expect(inviteToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = JSON.stringify(db.prepare('SELECT * FROM invites').all());
    expect(stored).not.toContain(inviteToken);
    await access.acceptInvite(inviteToken ?? '', 'a new password');
    expect(access.listUsers().find((u) => u.username === 'new')?.hasPassword).toBe(true);
    await expect(access.acceptInvite(inviteToken ?? '', 'again password')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    const late = await access.createUser({ username: 'late', role: 'viewer' });
    clock += 7 * 24 * 3600 * 1000 + 1;
    await expect(access.acceptInvite(late.inviteToken ?? '', 'a new password')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('API tokens', () => {
  it('are berth_<prefix>_<secret>, stored only as a hash, and resolve to role ∩ owner role', () => {
    const { token, prefix, id } = access.createToken(identityOf('root'), { name: 'ci', role: 'operator' });
    expect(token).toMatch(/^berth_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(token.startsWith(`${prefix}_`)).toBe(true);
    const rows = JSON.stringify(db.prepare('SELECT * FROM tokens').all());
    expect(rows).not.toContain(token);
    expect(rows).not.toContain(token.slice(prefix.length + 1));
    const r = access.tokenIdentity(token, '10.0.0.1');
    expect(r.ok && r.identity).toMatchObject({ username: 'root', via: 'token:ci', tokenId: id, scope: null });
    expect(r.ok && r.identity.permissions).toEqual(['read', 'operate', 'exec']);
    expect(access.listTokens(identityOf('root'))[0]).toMatchObject({
      lastUsedAddress: '10.0.0.1',
      lastUsedAt: new Date(clock).toISOString(),
    });
    // The owner demoted: the token can do no more than the owner now can.
    access.updateUser('op', { role: 'admin' });
    access.updateUser('root', { role: 'viewer' });
    const after = access.tokenIdentity(token, '10.0.0.1');
    expect(after.ok && after.identity.permissions).toEqual(['read']);
  });

  it('refuses a role above the caller’s and stacks beyond the caller’s', () => {
    const op = identityOf('op');
    expect(caught(() => access.createToken(op, { name: 'x', role: 'editor' })).code).toBe('FORBIDDEN');
    expect(caught(() => access.createToken(op, { name: 'x', role: 'viewer', stacks: ['b'] })).code).toBe(
      'FORBIDDEN',
    );
    expect(caught(() => access.createToken(op, { name: 'x', role: 'viewer', stacks: null })).code).toBe(
      'FORBIDDEN',
    );
    const { token } = access.createToken(op, { name: 'x', role: 'viewer', stacks: ['shop-1'] });
    const r = access.tokenIdentity(token, '1.1.1.1');
    expect(r.ok && r.identity.scope).toEqual(['shop-1']);
    // Without stacks the token inherits the caller's scope, never "all".
    const inherit = access.createToken(op, { name: 'y', role: 'viewer' });
    const r2 = access.tokenIdentity(inherit.token, '1.1.1.1');
    expect(r2.ok && r2.identity.scope).toEqual(['a', 'shop-*']);
  });

  it('refuses revoked, expired, unknown and tampered tokens, and tokens of disabled owners', () => {
    const root = identityOf('root');
    const revoked = access.createToken(root, { name: 'r', role: 'viewer' });
    access.revokeToken(root, revoked.id);
    const r = access.tokenIdentity(revoked.token, '2.2.2.2');
    expect(r).toMatchObject({ ok: false, refusal: { user: 'root', via: 'token:r', reason: 'revoked' } });

    const soon = access.createToken(root, {
      name: 'e',
      role: 'viewer',
      expiresAt: new Date(clock + 60_000).toISOString(),
    });
    expect(access.tokenIdentity(soon.token, '2.2.2.3').ok).toBe(true);
    clock += 60_001;
    expect(access.tokenIdentity(soon.token, '2.2.2.3')).toMatchObject({
      ok: false,
      refusal: { reason: 'expired' },
    });

    const good = access.createToken(identityOf('op'), { name: 'g', role: 'viewer' });
    const tampered = good.token.slice(0, -1) + (good.token.endsWith('A') ? 'B' : 'A');
    expect(access.tokenIdentity(tampered, '2.2.2.4')).toMatchObject({
      ok: false,
      refusal: { reason: 'unknown', user: null },
    });
    expect(access.tokenIdentity('nonsense', '2.2.2.4')).toMatchObject({
      ok: false,
      refusal: { reason: 'malformed' },
    });
    access.updateUser('op', { disabled: true });
    expect(access.tokenIdentity(good.token, '2.2.2.5')).toMatchObject({
      ok: false,
      refusal: { reason: 'owner disabled' },
    });
    expect(access.refresh({ username: 'op', tokenId: good.id })).toBeNull();
  });

  it('throttles an address after repeated failed tokens, even for a good token', () => {
    const { token } = access.createToken(identityOf('root'), { name: 't', role: 'viewer' });
    for (let i = 0; i < 5; i++) access.tokenIdentity(`berth_aaaaaaaa_${'x'.repeat(43)}`, '3.3.3.3');
    expect(caught(() => access.tokenIdentity(token, '3.3.3.3')).code).toBe('THROTTLED');
    expect(access.tokenIdentity(token, '3.3.3.4').ok).toBe(true);
  });

  it('lets only the owner or an admin see and revoke a token', () => {
    const op = identityOf('op');
    const mine = access.createToken(op, { name: 'm', role: 'viewer' });
    const viewerLike = { ...op, username: 'someone' };
    expect(caught(() => access.revokeToken(viewerLike, mine.id)).code).toBe('NOT_FOUND');
    expect(caught(() => access.listTokens(op, 'root')).code).toBe('FORBIDDEN');
    expect(access.listTokens(identityOf('root'), 'op').map((t) => t.id)).toEqual([mine.id]);
    const revoked: string[] = [];
    events.onTokenRevoked((id) => revoked.push(id));
    access.revokeToken(identityOf('root'), mine.id);
    expect(revoked).toEqual([mine.id]);
  });
});

describe('audit log', () => {
  it('is append-only: updates are refused, deletes only past retention', () => {
    const log = new AuditLog(db);
    const settings = new SettingsStore(db);
    const old = new Date(Date.now() - 40 * 24 * 3600 * 1000).toISOString();
    log.append({
      at: old,
      user: 'op',
      via: 'session',
      operation: 'runAction:up',
      target: 'a',
      stack: 'a',
      status: 202,
      address: '1.2.3.4',
    });
    log.append({
      user: null,
      via: 'token',
      operation: 'runAction:up',
      target: 'b',
      stack: 'b',
      status: 401,
      address: '5.6.7.8',
    });
    expect(() => db.prepare("UPDATE audit SET user = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/retention/);
    expect(log.prune(90)).toBe(0);
    settings.set({ auditRetentionDays: 30 });
    expect(log.prune(settings.get().auditRetentionDays)).toBe(1);
    expect(log.query().map((e) => e.target)).toEqual(['b']);
  });

  it('filters by user and stack and exports CSV (formula-safe) and NDJSON', () => {
    const log = new AuditLog(db);
    log.append({
      user: 'op',
      via: 'session',
      operation: 'runAction:up',
      target: 'a',
      stack: 'a',
      status: 202,
      address: null,
    });
    log.append({
      user: '=cmd',
      via: 'token:ci, "x"',
      operation: 'saveStack',
      target: 'b',
      stack: 'b',
      status: 403,
      address: null,
    });
    expect(log.query({ user: 'OP' }).map((e) => e.operation)).toEqual(['runAction:up']);
    expect(log.query({ stack: 'b' }).map((e) => e.status)).toEqual([403]);
    const csv = auditCsv(log.query());
    expect(csv.split('\r\n')[0]).toBe('at,user,via,operation,target,host,status,address');
    expect(csv).toContain(`'=cmd,"token:ci, ""x""",saveStack,b,local,403,`);
    const lines = auditNdjson(log.query())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { operation: string });
    expect(lines.map((l) => l.operation)).toEqual(['saveStack', 'runAction:up']);
  });
});
