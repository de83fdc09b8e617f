import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { newKeyPair, publicKeyOf } from './agent-crypto.js';

export const AGENT_STATE_FILE = 'agent.json';
export const AGENT_KEY_FILE = 'agent-key.pem';
/** Touched while the hub link is up (on connect and on each ping): what the health check reads. */
export const AGENT_HEARTBEAT_FILE = 'agent-heartbeat';

const AgentState = z.object({ hubUrl: z.string(), hostId: z.string() });
export type AgentState = z.infer<typeof AgentState>;

/**
 * An agent's identity in its data dir: its Ed25519 private key (its only secret, 0600) and, once
 * enrolled, which hub it belongs to and as which host. Nothing of the hub's is kept.
 */
export class AgentIdentity {
  constructor(private readonly dataDir: string) {}

  private file(name: string): string {
    return path.join(this.dataDir, name);
  }

  /** The enrolment, when there is one. */
  state(): AgentState | null {
    const file = this.file(AGENT_STATE_FILE);
    if (!existsSync(file)) return null;
    const parsed = AgentState.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  }

  save(state: AgentState): void {
    const file = this.file(AGENT_STATE_FILE);
    writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  }

  /** The private key (PEM), made on first use. */
  privateKey(): string {
    const file = this.file(AGENT_KEY_FILE);
    if (existsSync(file)) {
      chmodSync(file, 0o600);
      return readFileSync(file, 'utf8');
    }
    const { privateKey } = newKeyPair();
    writeFileSync(`${file}.tmp`, privateKey, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    return privateKey;
  }

  publicKey(): string {
    return publicKeyOf(this.privateKey());
  }

  /** Records that the hub link is alive now (an agent opens no port for a health check to ask). */
  heartbeat(): void {
    try {
      writeFileSync(this.file(AGENT_HEARTBEAT_FILE), `${new Date().toISOString()}\n`);
    } catch {
      // a full or read-only data dir shows as unhealthy, which is what it is
    }
  }
}
