import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { signHello, verifyHello } from '../../../server/src/agents/agent-crypto.js';
import { AGENT_KEY_FILE, AgentIdentity } from '../../../server/src/agents/agent-identity.js';
import { tempDir } from '../../helpers/factories.js';

describe("AgentIdentity: the agent's key and enrolment in its data dir", () => {
  it('makes an Ed25519 key once (owner-only) and keeps it across restarts', () => {
    const tmp = tempDir();
    try {
      const a = new AgentIdentity(tmp.dir);
      expect(a.state()).toBeNull();
      const key = a.privateKey();
      expect(statSync(path.join(tmp.dir, AGENT_KEY_FILE)).mode & 0o777).toBe(0o600);
      const b = new AgentIdentity(tmp.dir);
      expect(b.privateKey()).toBe(key);
      const sig = signHello(key, 'nonce', 'h_aaaaaaaaaa');
      expect(verifyHello(b.publicKey(), 'nonce', 'h_aaaaaaaaaa', sig)).toBe(true);
      expect(verifyHello(b.publicKey(), 'nonce', 'h_bbbbbbbbbb', sig)).toBe(false);
      expect(verifyHello('not a key', 'nonce', 'h_aaaaaaaaaa', sig)).toBe(false);
      a.save({ hubUrl: 'https://hub', hostId: 'h_aaaaaaaaaa' });
      expect(b.state()).toEqual({ hubUrl: 'https://hub', hostId: 'h_aaaaaaaaaa' });
    } finally {
      tmp.cleanup();
    }
  });
});
