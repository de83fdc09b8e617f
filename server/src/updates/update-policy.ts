import { parse } from 'yaml';
import { UpdatePolicy } from '../../../common/updates.js';

export const POLICY_LABEL = 'berth.update';
export const TAGS_LABEL = 'berth.update.tags';

/** What the compose file says about one service, as far as updates go. */
export interface ServiceSpec {
  image: string | null;
  build: boolean;
  policy: UpdatePolicy;
  /** `berth.update.tags`, the source of a regular expression; null when absent. */
  tagsPattern: string | null;
  /** A label that could not be read (an unknown policy), reported rather than ignored. */
  problem?: string;
}

function labelsOf(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(raw)) {
    for (const item of raw) {
      if (typeof item !== 'string') continue;
      const eq = item.indexOf('=');
      if (eq > 0) out[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (v !== null && v !== undefined) out[k] = String(v);
    }
  }
  return out;
}

/** Reads services' image, build and `berth.update*` labels from compose text; empty when it does not parse. */
export function serviceSpecs(yaml: string): Map<string, ServiceSpec> {
  const out = new Map<string, ServiceSpec>();
  let doc: unknown;
  try {
    doc = parse(yaml);
  } catch {
    return out;
  }
  const services = (doc as { services?: unknown } | null)?.services;
  if (!services || typeof services !== 'object' || Array.isArray(services)) return out;
  for (const [name, raw] of Object.entries(services as Record<string, unknown>)) {
    const svc = (raw ?? {}) as { image?: unknown; build?: unknown; labels?: unknown };
    const labels = labelsOf(svc.labels);
    const policyText = labels[POLICY_LABEL]?.trim();
    const parsed = policyText === undefined ? null : UpdatePolicy.safeParse(policyText);
    out.set(name, {
      image: typeof svc.image === 'string' ? svc.image : null,
      build: svc.build !== undefined && svc.build !== null,
      policy: parsed?.success ? parsed.data : 'notify',
      tagsPattern: labels[TAGS_LABEL]?.trim() || null,
      ...(parsed && !parsed.success
        ? { problem: `${POLICY_LABEL}: "${policyText}" is not notify, auto or off (notify assumed)` }
        : {}),
    });
  }
  return out;
}

/** Numbers in a tag (`v1.10.2-alpine` → [1, 10, 2]) for ordering. */
function versionOf(tag: string): number[] {
  return (tag.match(/\d+/g) ?? []).map(Number);
}

function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Tags matching the pattern that order after the current tag by their numbers, highest first
 * (at most `limit`). When the current tag has no numbers (`latest`), the highest matching tags.
 */
export function newerTags(current: string, tags: readonly string[], pattern: RegExp, limit = 10): string[] {
  const mine = versionOf(current);
  return tags
    .filter((t) => t !== current && pattern.test(t))
    .filter((t) => mine.length === 0 || compareVersions(versionOf(t), mine) > 0)
    .sort((a, b) => compareVersions(versionOf(b), versionOf(a)) || b.localeCompare(a))
    .slice(0, limit);
}

/** `HH:MM-HH:MM` in local time; may wrap midnight (`23:00-04:00`). */
export function parseWindow(text: string): { start: number; end: number } | null {
  const m = /^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [h1, m1, h2, m2] = m.slice(1).map(Number) as [number, number, number, number];
  if (h1 > 23 || h2 > 24 || m1 > 59 || m2 > 59) return null;
  return { start: h1 * 60 + m1, end: h2 * 60 + m2 };
}

export function inWindow(window: { start: number; end: number }, at: Date): boolean {
  const minute = at.getHours() * 60 + at.getMinutes();
  return window.start <= window.end
    ? minute >= window.start && minute < window.end
    : minute >= window.start || minute < window.end;
}
