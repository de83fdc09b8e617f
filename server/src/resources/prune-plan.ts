import type { PruneMode, PrunedImage } from '../../../common/resources.js';
import type { EngineImage } from '../engine/engine-client.js';

/**
 * What `POST /images/prune` will remove, computed with the engine's own rules (moby 20.10
 * daemon/images/image_prune.go + image_delete.go), so a dry run lists what the real prune does:
 * - dangling mode looks only at heads (images no other image names as parent); unused mode at all.
 * - an image with no tags/digests but with children is an intermediate image: skipped (it goes
 *   with its last child).
 * - dangling mode skips images that still have a tag; each remaining reference is deleted one by
 *   one; deleting the last reference of an image a container uses is a conflict (skipped).
 * - an image goes when it has no reference, no child and no container (running or not); then
 *   its parent is tried the same way, and so on up the chain.
 * - a tagged parent whose child stays loses its tag but stays ("untagged").
 */
export function planPrune(
  images: readonly EngineImage[],
  usedImageIds: ReadonlySet<string>,
  mode: PruneMode,
): PrunedImage[] {
  interface Node {
    image: EngineImage;
    refs: string[];
  }
  const nodes = new Map<string, Node>();
  for (const image of images) {
    // The engine sorts references by their familiar string.
    nodes.set(image.id, { image, refs: [...image.tags, ...image.digests].sort() });
  }
  const children = (id: string): number => {
    let n = 0;
    for (const node of nodes.values()) if (node.image.parentId === id) n++;
    return n;
  };
  const removed = new Map<string, string[]>();
  const deleted = new Set<string>();
  const note = (id: string, ref: string) => removed.set(id, [...(removed.get(id) ?? []), ref]);
  const isTag = (ref: string) => !ref.includes('@');
  const repoOf = (ref: string): string => {
    const at = ref.indexOf('@');
    if (at >= 0) return ref.slice(0, at);
    const colon = ref.lastIndexOf(':');
    return colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
  };

  const deleteHelper = (id: string): void => {
    const node = nodes.get(id);
    if (!node) return;
    if (children(id) > 0 || usedImageIds.has(id) || node.refs.length > 0) return;
    nodes.delete(id);
    deleted.add(id);
    if (node.image.parentId) deleteHelper(node.image.parentId);
  };

  const deleteRef = (node: Node, ref: string): void => {
    if (!nodes.has(node.image.id) || !node.refs.includes(ref)) return;
    if (usedImageIds.has(node.image.id) && node.refs.length === 1) return; // conflict
    node.refs = node.refs.filter((r) => r !== ref);
    note(node.image.id, ref);
    // The last tag of a repository takes that repository's digests with it.
    if (isTag(ref) && !node.refs.some((r) => isTag(r) && repoOf(r) === repoOf(ref))) {
      for (const r of node.refs.filter((x) => !isTag(x) && repoOf(x) === repoOf(ref))) {
        node.refs = node.refs.filter((x) => x !== r);
        note(node.image.id, r);
      }
    }
    if (node.refs.length === 0) deleteHelper(node.image.id);
  };

  const danglingOnly = mode === 'dangling';
  const tops = [...nodes.values()].filter((n) => {
    const kids = children(n.image.id);
    if (danglingOnly && kids > 0) return false;
    return !(n.refs.length === 0 && kids > 0);
  });
  for (const top of tops) {
    if (!nodes.has(top.image.id)) continue;
    if (top.refs.length > 0) {
      if (danglingOnly && top.refs.some(isTag)) continue;
      for (const ref of [...top.refs]) deleteRef(top, ref);
    } else {
      deleteHelper(top.image.id);
    }
  }

  const out: PrunedImage[] = [];
  for (const image of images) {
    const refs = removed.get(image.id) ?? [];
    if (deleted.has(image.id)) {
      out.push({
        id: image.id,
        tags: [...image.tags, ...image.digests].sort(),
        action: 'deleted',
        size: image.size,
      });
    } else if (refs.length > 0) {
      out.push({ id: image.id, tags: refs.sort(), action: 'untagged', size: 0 });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** The engine's prune report in the same shape as the plan, read against the images before it. */
export function reportAsPlan(
  before: readonly EngineImage[],
  report: { untagged: readonly string[]; deleted: readonly string[] },
): PrunedImage[] {
  const deleted = new Set(report.deleted);
  const untagged = new Set(report.untagged);
  const out: PrunedImage[] = [];
  for (const image of before) {
    const refs = [...image.tags, ...image.digests].sort();
    if (deleted.has(image.id)) out.push({ id: image.id, tags: refs, action: 'deleted', size: image.size });
    else {
      const gone = refs.filter((r) => untagged.has(r));
      if (gone.length > 0) out.push({ id: image.id, tags: gone, action: 'untagged', size: 0 });
    }
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}
