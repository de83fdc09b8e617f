import { describe, expect, it } from 'vitest';
import type { StackSummary } from '../../common/stack.js';
import { silentLogger } from '../../server/src/logger.js';
import { StackFeed, type FeedMessage } from '../../server/src/stacks/stack-feed.js';

const summary = (name: string, status: StackSummary['status'] = 'running'): StackSummary => ({
  host: 'local',
  name,
  managed: true,
  composeFile: 'compose.yaml',
  projectName: name,
  conflicts: [],
  status,
  health: 'none',
  services: { total: 1, running: status === 'running' ? 1 : 0 },
  target: 'compose',
  updatedAt: '2026-01-01T00:00:00.000Z',
  updates: 0,
});

describe('StackFeed', () => {
  it('coalesces a burst of touches into one message per changed stack', () => {
    const current = new Map<string, StackSummary>([['a', summary('a', 'down')]]);
    const sent: FeedMessage[] = [];
    const feed = new StackFeed(
      (n) => current.get(n) ?? null,
      (m) => sent.push(m),
      silentLogger(),
    );
    feed.seed([summary('a', 'down')]);
    for (let i = 0; i < 20; i++) {
      current.set('a', summary('a', i < 19 ? 'partial' : 'running'));
      feed.touch(['a']);
    }
    feed.flush();
    expect(sent).toEqual([{ type: 'changed', stack: summary('a', 'running') }]);
    feed.touch(['a']);
    feed.flush();
    expect(sent).toHaveLength(1); // nothing changed, nothing sent
    current.delete('a');
    feed.touch(['a', 'never-seen']);
    feed.flush();
    expect(sent.at(-1)).toEqual({ type: 'removed', name: 'a' });
    expect(sent).toHaveLength(2);
    feed.close();
  });
});
