import { describe, expect, it } from 'vitest';
import { DockerEngineClient } from '../../server/src/engine/engine-client.js';
import { engineGate } from '../helpers/engine.js';

const hasEngine = await engineGate();

describe.runIf(hasEngine)('DockerEngineClient against the real engine', () => {
  it('keeps a quiet event stream open longer than the request timeout', async () => {
    // A request timeout of 300 ms; the stream then sees no event for 1.5 s (the filter matches nothing).
    const client = new DockerEngineClient({ timeout: 300 });
    let ended: string | null = null;
    const sub = await client.subscribe(
      () => undefined,
      (err) => (ended = err ? err.message : 'ended'),
    );
    await new Promise((r) => setTimeout(r, 1500));
    sub.close();
    expect(ended).toBeNull();
    // Plain requests still answer with that timeout set.
    await expect(client.version()).resolves.toMatchObject({ version: expect.any(String) });
  });
});
