import { describe, expect, it } from 'vitest';
import { newKeyPair, sha256, signHello } from '../../../server/src/agents/agent-crypto.js';
import {
  ENROLL_TOKEN_TTL_MS,
  HostDirectory,
  HandshakeRefusal,
} from '../../../server/src/agents/host-directory.js';
import { HostStore } from '../../../server/src/agents/host-store.js';
import { openMemoryDatabase } from '../../../server/src/auth/database.js';
import { silentLogger } from '../../../server/src/logger.js';

function directory() {
  const clock = { now: 1_700_000_000_000 };
  const db = openMemoryDatabase();
  const store = new HostStore(db);
  const online = new Set<string>();
  const cut: string[] = [];
  const hosts = new HostDirectory({
    store,
    log: silentLogger(),
    version: '1.2.3',
    localName: 'hub',
    now: () => clock.now,
  });
  hosts.useLinks({ isOnline: (id) => online.has(id), disconnect: (id) => cut.push(id) });
  return { hosts, store, db, clock, online, cut };
}

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof HandshakeRefusal) return err.code;
    throw err;
  }
  return 'accepted';
};

/** An agent's enrolment hello for `nonce` with a fresh key. */
function enrollHello(token: string, nonce: string) {
  const keys = newKeyPair();
  return {
    keys,
    hello: { enroll: token, publicKey: keys.publicKey, signature: signHello(keys.privateKey, nonce, token) },
  };
}

describe('HostDirectory: enrolment and the agent handshake', () => {
  it('creates a host with a one-time token whose sha256 alone is stored, and the command', () => {
    const { hosts, db } = directory();
    const created = hosts.create('nas', 'https://hub.example');
    expect(created.id).toMatch(/^h_[a-z2-7]{10}$/);
    expect(created.command).toBe(`berth --hub https://hub.example --enroll ${created.enrollToken}`);
    expect(created.expiresAt).toBe(new Date(1_700_000_000_000 + 3_600_000).toISOString());
    const row = db.prepare('SELECT * FROM hosts').get() as Record<string, unknown>;
    expect(row.token_hash).toBe(sha256(created.enrollToken));
    expect(JSON.stringify(row)).not.toContain(created.enrollToken);
    expect(() => hosts.create('NAS', 'https://hub.example')).toThrow(/exists/);
    expect(() => hosts.create('local', 'https://hub.example')).toThrow(/exists/);
  });

  it('enrolls with a valid token and signature, once: the token is used up', () => {
    const { hosts, store } = directory();
    const { id, enrollToken } = hosts.create('nas', 'http://hub');
    const { keys, hello } = enrollHello(enrollToken, 'nonce-one-0123456789');
    expect(hosts.verify('nonce-one-0123456789', hello)).toEqual({ hostId: id, name: 'nas' });
    expect(store.get(id)).toMatchObject({ publicKey: keys.publicKey, tokenHash: null });
    // Same token again, even with a fresh nonce and key: refused.
    const again = enrollHello(enrollToken, 'nonce-two-0123456789');
    expect(refusal(() => hosts.verify('nonce-two-0123456789', again.hello))).toBe('ENROLL_REFUSED');
    expect(store.get(id)?.publicKey).toBe(keys.publicKey);
  });

  it('refuses an expired token', () => {
    const { hosts, clock } = directory();
    const { enrollToken } = hosts.create('nas', 'http://hub');
    clock.now += ENROLL_TOKEN_TTL_MS + 1;
    const { hello } = enrollHello(enrollToken, 'nonce-0123456789abc');
    expect(refusal(() => hosts.verify('nonce-0123456789abc', hello))).toBe('ENROLL_REFUSED');
  });

  it('refuses an enrolment signed over another nonce (a replayed hello) and keeps the token', () => {
    const { hosts, store } = directory();
    const { id, enrollToken } = hosts.create('nas', 'http://hub');
    const { hello } = enrollHello(enrollToken, 'old-nonce-0123456789');
    expect(refusal(() => hosts.verify('new-nonce-0123456789', hello))).toBe('BAD_SIGNATURE');
    expect(store.get(id)?.publicKey).toBeNull();
    expect(store.get(id)?.tokenHash).toBe(sha256(enrollToken));
  });

  it('accepts a known host by its signature over the nonce, and nothing else', () => {
    const { hosts } = directory();
    const { id, enrollToken } = hosts.create('nas', 'http://hub');
    const { keys, hello } = enrollHello(enrollToken, 'n0-0123456789abcdef');
    hosts.verify('n0-0123456789abcdef', hello);
    const nonce = 'n1-0123456789abcdef';
    expect(hosts.verify(nonce, { hostId: id, signature: signHello(keys.privateKey, nonce, id) })).toEqual({
      hostId: id,
      name: 'nas',
    });
    const stranger = newKeyPair();
    expect(
      refusal(() =>
        hosts.verify(nonce, { hostId: id, signature: signHello(stranger.privateKey, nonce, id) }),
      ),
    ).toBe('BAD_SIGNATURE');
    expect(
      refusal(() =>
        hosts.verify(nonce, { hostId: id, signature: signHello(keys.privateKey, 'other-nonce', id) }),
      ),
    ).toBe('BAD_SIGNATURE');
    expect(
      refusal(() =>
        hosts.verify(nonce, {
          hostId: 'h_aaaaaaaaaa',
          signature: signHello(keys.privateKey, nonce, 'h_aaaaaaaaaa'),
        }),
      ),
    ).toBe('REVOKED');
  });

  it('revoking a host deletes its key and cuts its link; its next hello is REVOKED', () => {
    const { hosts, cut } = directory();
    const { id, enrollToken } = hosts.create('nas', 'http://hub');
    const { keys, hello } = enrollHello(enrollToken, 'n0-0123456789abcdef');
    hosts.verify('n0-0123456789abcdef', hello);
    hosts.remove(id);
    expect(cut).toEqual([id]);
    const nonce = 'n2-0123456789abcdef';
    expect(
      refusal(() => hosts.verify(nonce, { hostId: id, signature: signHello(keys.privateKey, nonce, id) })),
    ).toBe('REVOKED');
    expect(() => hosts.remove(id)).toThrow(/no host/);
    expect(() => hosts.remove('local')).toThrow(/no host/);
  });

  it('lists local first, then agents with online state, version and last seen', () => {
    const { hosts, online, clock } = directory();
    const { id } = hosts.create('pi', 'http://hub');
    expect(hosts.list()[0]).toMatchObject({
      id: 'local',
      name: 'hub',
      online: true,
      version: '1.2.3',
      address: null,
    });
    expect(hosts.list()[1]).toMatchObject({ id, name: 'pi', online: false, version: null, lastSeen: null });
    hosts.seen(id, { version: '1.2.4', address: '10.0.0.5' });
    online.add(id);
    clock.now += 5000;
    expect(hosts.list()[1]).toMatchObject({
      online: true,
      version: '1.2.4',
      address: '10.0.0.5',
      lastSeen: new Date(clock.now).toISOString(),
    });
    online.delete(id);
    expect(hosts.list()[1]?.lastSeen).toBe(new Date(clock.now - 5000).toISOString());
  });
});
