/** "12 s ago", "5 min ago", "3 h ago", else the date: how long ago an ISO time was. */
export function formatAgo(iso: string, now: number = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(t).toLocaleString();
}

/** What a host heading says about it: online, offline since…, or never connected. */
export function hostState(
  h: { online: boolean; lastSeen: string | null },
  now: number = Date.now(),
): { label: string; state: 'online' | 'offline' | 'never' } {
  if (h.online) return { label: 'online', state: 'online' };
  if (!h.lastSeen) return { label: 'never connected', state: 'never' };
  return { label: `offline · last seen ${formatAgo(h.lastSeen, now)}`, state: 'offline' };
}

interface HostLike {
  id: string;
  name: string;
  online: boolean;
  version: string | null;
  lastSeen: string | null;
}

export interface HostGroup<S, H extends HostLike = HostLike> {
  id: string;
  /** What the hub says of the host; undefined for a host only its stacks name (list not read yet). */
  host: H | undefined;
  stacks: S[];
}

/**
 * Stacks grouped by host in the hosts' order (`local` first as the hub lists it), then hosts
 * only the stacks name. `only`: one host id, or null for all. Hosts with no stack get a group
 * too (a freshly added host shows up before it has stacks).
 */
export function groupByHost<S extends { host: string }, H extends HostLike>(
  stacks: readonly S[],
  hosts: readonly H[],
  only: string | null = null,
): HostGroup<S, H>[] {
  const groups = new Map<string, HostGroup<S, H>>();
  for (const h of hosts) groups.set(h.id, { id: h.id, host: h, stacks: [] });
  const extra: string[] = [];
  for (const s of stacks) {
    let g = groups.get(s.host);
    if (!g) {
      g = { id: s.host, host: undefined, stacks: [] };
      groups.set(s.host, g);
      extra.push(s.host);
    }
    g.stacks.push(s);
  }
  const out: HostGroup<S, H>[] = [];
  for (const id of [...hosts.map((h) => h.id), ...extra.sort()]) {
    const g = groups.get(id);
    if (g && (only === null || id === only) && !out.includes(g)) out.push(g);
  }
  return out;
}
