import { describe, expect, it } from 'vitest';
import type { EngineImage } from '../../../server/src/engine/engine-client.js';
import { planPrune, reportAsPlan } from '../../../server/src/resources/prune-plan.js';

const img = (id: string, over: Partial<EngineImage> = {}): EngineImage => ({
  id: `sha256:${id}`,
  parentId: '',
  tags: [],
  digests: [],
  size: 10,
  created: 0,
  ...over,
});
const ids = (plan: { id: string; action: string }[]) => plan.map((p) => `${p.id.slice(7)}:${p.action}`);

describe('planPrune (the engine rules)', () => {
  it('dangling: untagged heads go, with their untagged parents; tagged and used images stay', () => {
    const images = [
      img('base', { tags: ['busybox:latest'] }),
      img('mid', { parentId: 'sha256:base' }),
      img('old', { parentId: 'sha256:mid' }),
      img('app', { parentId: 'sha256:base', tags: ['app:1'] }),
      img('used', {}),
    ];
    expect(ids(planPrune(images, new Set(['sha256:used']), 'dangling'))).toEqual([
      'mid:deleted',
      'old:deleted',
    ]);
  });

  it('dangling: an intermediate image that still has another child stays', () => {
    const images = [
      img('mid'),
      img('old', { parentId: 'sha256:mid' }),
      img('new', { parentId: 'sha256:mid', tags: ['app:2'] }),
    ];
    expect(ids(planPrune(images, new Set(), 'dangling'))).toEqual(['old:deleted']);
  });

  it('dangling: an image with only digests counts as dangling', () => {
    const images = [img('d', { digests: ['repo@sha256:abc'] })];
    expect(planPrune(images, new Set(), 'dangling')).toEqual([
      { id: 'sha256:d', tags: ['repo@sha256:abc'], action: 'deleted', size: 10 },
    ]);
  });

  it('unused: every unused image goes; a tagged parent of a used child loses its tags but stays', () => {
    const images = [
      img('base', { tags: ['busybox:latest', 'alias:1'] }),
      img('used', { parentId: 'sha256:base', tags: ['used:1'] }),
      img('free', { parentId: 'sha256:base', tags: ['free:1'] }),
    ];
    const plan = planPrune(images, new Set(['sha256:used']), 'unused');
    expect(plan).toEqual([
      { id: 'sha256:base', tags: ['alias:1', 'busybox:latest'], action: 'untagged', size: 0 },
      { id: 'sha256:free', tags: ['free:1'], action: 'deleted', size: 10 },
    ]);
  });

  it('unused: a used image with two tags loses all but its last (sorted) tag, as the engine does', () => {
    const images = [img('u', { tags: ['b:1', 'a:1'] })];
    expect(planPrune(images, new Set(['sha256:u']), 'unused')).toEqual([
      { id: 'sha256:u', tags: ['a:1'], action: 'untagged', size: 0 },
    ]);
  });

  it('unused: the last tag of a repository takes its digests along', () => {
    const images = [img('x', { tags: ['repo:1'], digests: ['repo@sha256:d1'] })];
    expect(planPrune(images, new Set(), 'unused')).toEqual([
      { id: 'sha256:x', tags: ['repo:1', 'repo@sha256:d1'], action: 'deleted', size: 10 },
    ]);
  });

  it('reads an engine report in the same shape', () => {
    const before = [img('a', { tags: ['a:1'] }), img('b', { tags: ['b:1', 'b:2'] }), img('c')];
    const report = { untagged: ['a:1', 'b:2'], deleted: ['sha256:a', 'sha256:layerchain'] };
    expect(reportAsPlan(before, report)).toEqual([
      { id: 'sha256:a', tags: ['a:1'], action: 'deleted', size: 10 },
      { id: 'sha256:b', tags: ['b:2'], action: 'untagged', size: 0 },
    ]);
  });
});
