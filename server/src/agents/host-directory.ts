import { hostname } from 'node:os';
import type { AgentHello } from '../../../common/agent-wire.js';
import type { CreatedHost, HostSummary } from '../../../common/hosts.js';
import { LOCAL_HOST } from '../../../common/hosts.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { newHostId, randomToken, sha256, verifyHello } from './agent-crypto.js';
import type { HostStore } from './host-store.js';

export const ENROLL_TOKEN_TTL_MS = 3_600_000;

/** Why an agent's hello was refused; `code` travels to the agent, which stops on it. */
export class HandshakeRefusal extends Error {
  override name = 'HandshakeRefusal';
  constructor(
    readonly code: 'REVOKED' | 'ENROLL_REFUSED' | 'BAD_SIGNATURE',
    message: string,
  ) {
    super(message);
  }
}

/** The live side of hosts: which agents are connected now (the /agent namespace knows). */
export interface HostLinks {
  isOnline(id: string): boolean;
  /** Ends an agent's connection at once (revocation). */
  disconnect(id: string): void;
  /** A host was created (browsers are told). */
  added?(id: string): void;
}

export interface HostDirectoryOptions {
  store: HostStore;
  log: Logger;
  /** This Berth's version (the local host's). */
  version: string;
  /** The local host's display name; the machine's hostname when unset. */
  localName?: string;
  now?: () => number;
}

/** Hosts: the local one and enrolled agents; enrolment tokens and the agents' handshake. */
export class HostDirectory {
  private links: HostLinks = { isOnline: () => false, disconnect: () => undefined };
  private readonly now: () => number;

  constructor(private readonly opts: HostDirectoryOptions) {
    this.now = opts.now ?? Date.now;
  }

  useLinks(links: HostLinks): void {
    this.links = links;
  }

  get localName(): string {
    return this.opts.localName ?? hostname();
  }

  list(): HostSummary[] {
    const local: HostSummary = {
      id: LOCAL_HOST,
      name: this.localName,
      online: true,
      version: this.opts.version,
      lastSeen: new Date(this.now()).toISOString(),
      address: null,
    };
    return [
      local,
      ...this.opts.store.list().map((h) => {
        const online = this.links.isOnline(h.id);
        return {
          id: h.id,
          name: h.name,
          online,
          version: h.version,
          lastSeen: online ? new Date(this.now()).toISOString() : h.lastSeen,
          address: h.address,
        };
      }),
    ];
  }

  /** A known agent host (not `local`); HOST_NOT_FOUND otherwise. */
  get(id: string): HostSummary {
    const h = this.list().find((x) => x.id === id && x.id !== LOCAL_HOST);
    if (!h) throw new AppError('HOST_NOT_FOUND', `no host "${id.slice(0, 64)}"`);
    return h;
  }

  /** Whether `id` names an agent host the hub knows (online or not). */
  exists(id: string): boolean {
    return id !== LOCAL_HOST && this.opts.store.get(id) !== null;
  }

  /** A new host and its one-time token; only the token's sha256 is stored. */
  create(name: string, hubUrl: string): CreatedHost {
    if (name.toLowerCase() === LOCAL_HOST || this.opts.store.nameTaken(name) || name === this.localName) {
      throw new AppError('CONFLICT', `a host named "${name}" exists`);
    }
    const id = newHostId();
    const token = randomToken();
    const expires = this.now() + ENROLL_TOKEN_TTL_MS;
    this.opts.store.insert({
      id,
      name,
      tokenHash: sha256(token),
      tokenExpires: expires,
      createdAt: new Date(this.now()).toISOString(),
    });
    this.opts.log.info({ host: id, name }, 'host created; waiting for its agent to enrol');
    this.links.added?.(id);
    return {
      id,
      enrollToken: token,
      command: `berth --hub ${hubUrl} --enroll ${token}`,
      expiresAt: new Date(expires).toISOString(),
    };
  }

  /** Revokes a host: the row goes (its public key with it) and its agent is cut off now. */
  remove(id: string): void {
    if (id === LOCAL_HOST || !this.opts.store.remove(id)) {
      throw new AppError('HOST_NOT_FOUND', `no host "${id.slice(0, 64)}"`);
    }
    this.links.disconnect(id);
    this.opts.log.warn({ host: id }, 'host revoked');
  }

  /**
   * Checks an agent's answer to the challenge `nonce`: an enrolment (token + new public key) or a
   * known host's signature. Returns the host it proved to be; throws HandshakeRefusal.
   */
  verify(nonce: string, hello: AgentHello): { hostId: string; name: string } {
    if ('enroll' in hello) {
      const hash = sha256(hello.enroll);
      const row = this.opts.store.byTokenHash(hash);
      const refused = new HandshakeRefusal(
        'ENROLL_REFUSED',
        'the enrolment token is unknown, already used or expired: create the host again on the hub',
      );
      if (!row || row.publicKey !== null || (row.tokenExpires ?? 0) <= this.now()) throw refused;
      if (!verifyHello(hello.publicKey, nonce, hello.enroll, hello.signature)) {
        throw new HandshakeRefusal('BAD_SIGNATURE', 'the signature does not match the public key');
      }
      if (!this.opts.store.enroll(row.id, hash, hello.publicKey, this.now())) throw refused;
      this.opts.log.info({ host: row.id, name: row.name }, 'agent enrolled');
      return { hostId: row.id, name: row.name };
    }
    const row = this.opts.store.get(hello.hostId);
    if (!row || row.publicKey === null) {
      throw new HandshakeRefusal('REVOKED', `host ${hello.hostId} is not known to this hub (revoked?)`);
    }
    if (!verifyHello(row.publicKey, nonce, hello.hostId, hello.signature)) {
      throw new HandshakeRefusal('BAD_SIGNATURE', 'the signature does not match the host key');
    }
    return { hostId: row.id, name: row.name };
  }

  /** The agent connected or left: last seen, version and address for the list. */
  seen(id: string, info: { version?: string; address?: string } = {}): void {
    this.opts.store.seen(id, new Date(this.now()).toISOString(), info.version ?? null, info.address ?? null);
  }
}
