import { describe, expect, it } from 'vitest';
import type { StackSummary } from '../../../common/stack.js';
import { RemoteStacks } from '../../../server/src/agents/remote-stacks.js';
import { rewriteHost } from '../../../server/src/realtime/agent-hub.js';
import type { FeedMessage } from '../../../server/src/stacks/stack-feed.js';

const summary = (name: string, status: StackSummary['status'] = 'running'): StackSummary => ({
  host: 'local',
  name,
  managed: true,
  composeFile: 'compose.yaml',
  projectName: name,
  conflicts: [],
  status,
  health: 'healthy',
  services: { total: 1, running: status === 'running' ? 1 : 0 },
  updatedAt: null,
  updates: 0,
  target: 'compose',
});

function cache() {
  const sent: Array<{ host: string; m: FeedMessage }> = [];
  return { stacks: new RemoteStacks((host, m) => sent.push({ host, m })), sent };
}

describe("RemoteStacks: the hub's copy of agents' stacks", () => {
  it("takes an agent's list under its host id and publishes each", () => {
    const { stacks, sent } = cache();
    stacks.replace('h_aaaaaaaaaa', [summary('web'), summary('db')]);
    expect(stacks.all().map((s) => `${s.host}/${s.name}`)).toEqual(['h_aaaaaaaaaa/web', 'h_aaaaaaaaaa/db']);
    expect(sent.map((x) => x.m.type)).toEqual(['changed', 'changed']);
    expect(sent.every((x) => x.host === 'h_aaaaaaaaaa')).toBe(true);
  });

  it('marks every stack of a host that went offline unknown, keeping the list', () => {
    const { stacks, sent } = cache();
    stacks.replace('h_aaaaaaaaaa', [summary('web')]);
    stacks.replace('h_bbbbbbbbbb', [summary('web')]);
    sent.length = 0;
    stacks.offline('h_aaaaaaaaaa');
    expect(stacks.of('h_aaaaaaaaaa')).toMatchObject([
      { name: 'web', status: 'unknown', host: 'h_aaaaaaaaaa' },
    ]);
    expect(stacks.of('h_bbbbbbbbbb')).toMatchObject([{ status: 'running' }]);
    expect(sent).toEqual([
      { host: 'h_aaaaaaaaaa', m: { type: 'changed', stack: expect.objectContaining({ status: 'unknown' }) } },
    ]);
  });

  it('a fresh list on reconnect removes stacks gone meanwhile', () => {
    const { stacks, sent } = cache();
    stacks.replace('h_aaaaaaaaaa', [summary('web'), summary('old')]);
    stacks.offline('h_aaaaaaaaaa');
    sent.length = 0;
    stacks.replace('h_aaaaaaaaaa', [summary('web', 'exited')]);
    expect(sent[0]).toEqual({ host: 'h_aaaaaaaaaa', m: { type: 'removed', name: 'old' } });
    expect(stacks.of('h_aaaaaaaaaa')).toMatchObject([{ name: 'web', status: 'exited' }]);
  });

  it('follows changes and removals, and drops a revoked host whole', () => {
    const { stacks, sent } = cache();
    stacks.changed('h_aaaaaaaaaa', summary('web', 'down'));
    stacks.removed('h_aaaaaaaaaa', 'nope');
    stacks.removed('h_aaaaaaaaaa', 'web');
    stacks.changed('h_aaaaaaaaaa', summary('api'));
    stacks.drop('h_aaaaaaaaaa');
    expect(stacks.all()).toEqual([]);
    expect(sent.map((x) => (x.m.type === 'changed' ? `+${x.m.stack.name}` : `-${x.m.name}`))).toEqual([
      '+web',
      '-web',
      '+api',
      '-api',
    ]);
  });
});

describe('rewriteHost', () => {
  it("puts the agent's host id on summaries and details it answered as local, and leaves the rest", () => {
    expect(rewriteHost([{ host: 'local', name: 'a' }, { name: 'b' }], 'h_x')).toEqual([
      { host: 'h_x', name: 'a' },
      { name: 'b' },
    ]);
    expect(rewriteHost({ host: 'local', yaml: '' }, 'h_x')).toEqual({ host: 'h_x', yaml: '' });
    expect(rewriteHost({ jobId: 'j' }, 'h_x')).toEqual({ jobId: 'j' });
    expect(rewriteHost('text', 'h_x')).toBe('text');
  });
});
