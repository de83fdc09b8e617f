import type { ImageCheck, UpdatePolicy } from '../../../common/updates.js';
import type { Logger } from '../logger.js';
import { digestFor, parseImageRef, type ImageRef } from './image-ref.js';
import { isIndexMediaType, RegistryError, type ManifestHead, type Registry } from './registry-client.js';
import type { LocalImage, UpdateContainer, UpdateEngine } from './update-engine.js';
import { newerTags, POLICY_LABEL, serviceSpecs, TAGS_LABEL, type ServiceSpec } from './update-policy.js';

/**
 * The reference to check: what the container was created from, except after a rollback (the
 * container pinned to `repo@sha256:...` by Berth's override) where the file's tag of the same
 * repository is what the user follows.
 */
function imageOf(spec: ServiceSpec | undefined, container: UpdateContainer | undefined): string {
  const fromContainer = container?.imageRef;
  if (!fromContainer) return spec?.image ?? '';
  const running = parseImageRef(fromContainer);
  const file = spec?.image && !spec.image.includes('$') ? parseImageRef(spec.image) : null;
  if (
    running?.digest &&
    file &&
    !file.digest &&
    file.registry === running.registry &&
    file.repository === running.repository
  ) {
    return spec?.image ?? fromContainer;
  }
  return fromContainer;
}

/**
 * Compares each service's running image with its registry tag.
 *
 * The rule (HEAD only in the steady state): the container's image carries the digest it was
 * pulled as in RepoDigests; for a multi-arch image that is the index digest. A HEAD of the tag
 * returns the tag's digest. Equal: up to date, one HEAD and nothing else. Different, and the
 * tag is a single manifest: update available. Different, and the tag is an index: HEAD alone
 * cannot tell which platforms changed, so Berth reads that new index once (a GET by digest,
 * cached for good since it is content-addressed), takes the entry for the local image's
 * os/architecture/variant and reads that platform manifest once (same cache): when its config
 * digest is the local image id, only other platforms changed and the service is up to date.
 * Those two GETs happen only when an index digest changed, never on a repeated check.
 */
export class UpdateChecker {
  constructor(
    private readonly deps: {
      engine: UpdateEngine;
      registry: Registry;
      log: Logger;
      now?: () => Date;
    },
  ) {}

  async checkStack(stack: string, yaml: string): Promise<ImageCheck[]> {
    const specs = serviceSpecs(yaml);
    const containers = await this.deps.engine.containers(stack);
    const byService = new Map<string, UpdateContainer>();
    for (const c of containers) {
      const seen = byService.get(c.service);
      if (!seen || (seen.state !== 'running' && c.state === 'running')) byService.set(c.service, c);
    }
    const services = [...new Set([...specs.keys(), ...byService.keys()])].sort();
    // One HEAD per distinct image in a check run, however many services share it.
    const heads = new Map<string, Promise<ManifestHead>>();
    const checkedAt = (this.deps.now?.() ?? new Date()).toISOString();
    const out: ImageCheck[] = [];
    for (const service of services) {
      const spec = specs.get(service);
      const container = byService.get(service);
      out.push(await this.checkService(stack, service, spec, container, heads, checkedAt));
    }
    return out;
  }

  private async checkService(
    stack: string,
    service: string,
    spec: ServiceSpec | undefined,
    container: UpdateContainer | undefined,
    heads: Map<string, Promise<ManifestHead>>,
    checkedAt: string,
  ): Promise<ImageCheck> {
    const labelPolicy = container?.labels[POLICY_LABEL];
    const policy: UpdatePolicy =
      spec?.policy ?? (labelPolicy === 'auto' || labelPolicy === 'off' ? labelPolicy : 'notify');
    const image = imageOf(spec, container);
    const base = { stack, service, image, currentDigest: null, latestDigest: null, checkedAt, policy };
    const notChecked = (reason: string): ImageCheck => ({ ...base, status: 'not-checked', reason });
    if (policy === 'off') return notChecked(`${POLICY_LABEL}: off`);
    if (!container) return notChecked('no container: the service was never deployed');
    if (spec?.build) return notChecked('built locally (build:), no registry to compare with');
    const ref = parseImageRef(image);
    if (!ref) return notChecked(`"${image}" is not an image reference Berth can read`);
    if (ref.digest) return notChecked('pinned by digest in the compose file');
    const local = await this.deps.engine.image(container.imageId);
    const current = local ? digestFor(ref, local.repoDigests) : null;
    if (!local || !current) {
      return notChecked('the image has no registry digest (built or loaded locally, never pulled or pushed)');
    }
    const withDigest = { ...base, currentDigest: current };
    const extra: { reason?: string } = spec?.problem ? { reason: spec.problem } : {};
    try {
      const key = `${ref.apiHost}/${ref.repository}:${ref.tag ?? ''}`;
      let head = heads.get(key);
      if (!head) {
        head = this.deps.registry.head(ref, ref.tag ?? 'latest');
        heads.set(key, head);
      }
      const latest = await head;
      const tags = await this.newerTags(ref, spec?.tagsPattern ?? container.labels[TAGS_LABEL] ?? null);
      const result = { ...withDigest, latestDigest: latest.digest, checkedAt, ...tags.found };
      if (tags.problem) extra.reason = tags.problem;
      if (latest.digest === current) return { ...result, status: 'up-to-date', ...extra };
      if (!isIndexMediaType(latest.mediaType)) return { ...result, status: 'update-available', ...extra };
      return { ...result, ...(await this.comparePlatform(ref, latest.digest, local)) };
    } catch (err) {
      if (err instanceof RegistryError) {
        if (err.kind === 'unreachable') return { ...withDigest, status: 'not-checked', reason: err.message };
        return { ...withDigest, status: 'error', reason: err.message };
      }
      this.deps.log.error({ err, stack, service }, 'update check failed');
      return { ...withDigest, status: 'error', reason: 'internal error while checking' };
    }
  }

  private async comparePlatform(
    ref: ImageRef,
    indexDigest: string,
    local: LocalImage,
  ): Promise<Pick<ImageCheck, 'status' | 'reason'>> {
    const entries = await this.deps.registry.index(ref, indexDigest);
    const platform = `${local.os}/${local.architecture}${local.variant ? `/${local.variant}` : ''}`;
    const entry =
      entries.find(
        (e) =>
          e.os === local.os &&
          e.architecture === local.architecture &&
          (!local.variant || !e.variant || e.variant === local.variant),
      ) ?? null;
    if (!entry) return { status: 'error', reason: `the tag's new index has no ${platform} image` };
    const config = await this.deps.registry.configDigest(ref, entry.digest);
    if (config === local.id) {
      return {
        status: 'up-to-date',
        reason: `the index changed for other platforms only; ${platform} is the same`,
      };
    }
    return { status: 'update-available', reason: `new ${platform} image ${entry.digest}` };
  }

  private async newerTags(
    ref: ImageRef,
    pattern: string | null,
  ): Promise<{ found: Pick<ImageCheck, 'newerTags'>; problem?: string }> {
    if (!pattern || !ref.tag) return { found: {} };
    let re: RegExp;
    try {
      re = new RegExp(pattern);
    } catch {
      return { found: {}, problem: `${TAGS_LABEL}: "${pattern}" is not a regular expression` };
    }
    const tags = await this.deps.registry.tags(ref);
    return { found: { newerTags: newerTags(ref.tag, tags, re) } };
  }
}
