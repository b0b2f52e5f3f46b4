import 'server-only';
import pLimit from 'p-limit';
import { getFleet } from '../fleet/fleet';
import { ClusterError } from '../k8s/errors';
import type { AgentRef } from './agent-pod';
import { cachedThumbnail, pushPage, warmThumbnails } from './gallery-service';
import { inventoryIsFresh, readInventory, requireImageAccess, type AgentInventory } from './inventory';
import type { ImageEntry } from './inventory-output';
import { imageContentType } from './paths';

export const GALLERY_PAGE_SIZE = 48;

export interface GalleryItem {
  /** Unique across the fleet. */
  id: string;
  agent: AgentRef;
  name: string;
  session: string;
  file: string;
  size: number;
  mtimeMs: number;
  created: string;
  width: number | null;
  height: number | null;
  contentType: string;
  sessionStartedAt: string | null;
  discordChannelId: string | null;
  discordThreadId: string | null;
  /** The thread, else the channel: where a re-send goes by default. */
  discordTarget: string | null;
  senderName: string | null;
  thumbUrl: string;
  fullUrl: string;
  downloadUrl: string;
}

export interface GalleryFilters {
  /** `cluster/namespace/name`. */
  agent?: string;
  /** YYYY-MM-DD, inclusive, UTC. */
  from?: string;
  to?: string;
  session?: string;
}

export interface GalleryPage {
  items: GalleryItem[];
  total: number;
  page: number;
  pages: number;
  agents: Array<{ key: string; ref: AgentRef; images: number; error: string | null }>;
  sessions: string[];
  errors: string[];
}

export function agentKey(ref: AgentRef): string {
  return `${ref.clusterId}/${ref.namespace}/${ref.name}`;
}

/**
 * `<size>-<mtimeMs>-<inode>`: which file an image URL means. A new version is a new URL (the
 * browser keeps each one for a day), and a URL of a version the listing no longer shows is refused.
 */
export function imageVersion(entry: Pick<ImageEntry, 'size' | 'mtimeMs' | 'ino'>): string {
  return `${entry.size}-${Math.round(entry.mtimeMs)}-${entry.ino}`;
}

function imageUrl(ref: AgentRef, kind: 'thumbnail' | 'file', entry: ImageEntry, download = false): string {
  const base = `/api/images/${encodeURIComponent(ref.clusterId)}/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}/${kind}`;
  const q = new URLSearchParams({ path: entry.name, v: imageVersion(entry) });
  if (download) q.set('download', '1');
  return `${base}?${q}`;
}

export function toGalleryItem(inv: AgentInventory, entry: ImageEntry): GalleryItem {
  const ref = inv.ref;
  const session = inv.sessions.get(entry.session);
  const sender = session?.sender ?? null;
  return {
    id: `${agentKey(ref)}/${entry.name}`,
    agent: ref,
    name: entry.name,
    session: entry.session,
    file: entry.file,
    size: entry.size,
    mtimeMs: entry.mtimeMs,
    created: new Date(entry.mtimeMs).toISOString(),
    width: entry.width,
    height: entry.height,
    contentType: imageContentType(entry.file) ?? 'application/octet-stream',
    sessionStartedAt: session?.startedAt ?? null,
    discordChannelId: sender?.channelId ?? null,
    discordThreadId: sender?.threadId ?? null,
    discordTarget: session?.target ?? null,
    senderName: sender?.displayName ?? sender?.senderName ?? null,
    thumbUrl: imageUrl(ref, 'thumbnail', entry),
    fullUrl: imageUrl(ref, 'file', entry),
    downloadUrl: imageUrl(ref, 'file', entry, true),
  };
}

function inRange(mtimeMs: number, filters: GalleryFilters): boolean {
  const day = new Date(mtimeMs).toISOString().slice(0, 10);
  if (filters.from && /^\d{4}-\d{2}-\d{2}$/.test(filters.from) && day < filters.from) return false;
  if (filters.to && /^\d{4}-\d{2}-\d{2}$/.test(filters.to) && day > filters.to) return false;
  return true;
}

/** The agents of the fleet whose pods can be read (a gallery shows them all). */
export async function galleryAgents(): Promise<Array<{ ref: AgentRef; error: string | null }>> {
  const fleet = await getFleet();
  return fleet.agents.map((a) => ({
    ref: { clusterId: a.clusterId, namespace: a.workload.namespace, name: a.workload.name },
    error: a.pod ? null : a.problem ?? 'No running pod.',
  }));
}

/** Per agent: whether the last page shown needed no pod (then its next listing sends no page ahead). */
const lastPageCached = new Map<string, boolean>();

/** Tests start a "new process". */
export function resetGalleryForTests(): void {
  lastPageCached.clear();
}

/**
 * One page of images, newest first, from one agent or the whole fleet: one listing exec
 * per agent (cached briefly), then the page's thumbnails are started in one batch per agent.
 */
export async function listGallery(opts: { agents: Array<{ ref: AgentRef; error: string | null }>; filters: GalleryFilters; page: number; pageSize?: number; warm?: boolean }): Promise<GalleryPage> {
  const pageSize = opts.pageSize ?? GALLERY_PAGE_SIZE;
  const warm = opts.warm !== false;
  const listed = opts.agents.filter((a) => !a.error && (!opts.filters.agent || opts.filters.agent === agentKey(a.ref)));
  // One agent's page is sent while it is listed; across the fleet most agents have nothing
  // on the page, and a page transfer per agent would be mostly waste.
  const push = warm && listed.length === 1;
  const requested = Math.max(1, Math.floor(opts.page) || 1);
  const limit = pLimit(8);
  /** Per agent: how many of the page's files were sent ahead (the page needed the pod). */
  const pushed = new Map<string, Promise<number>>();
  const results = await Promise.all(
    opts.agents.map((a) =>
      limit(async () => {
        if (a.error) return { a, inv: null as AgentInventory | null, error: a.error };
        if (opts.filters.agent && opts.filters.agent !== agentKey(a.ref)) return { a, inv: null, error: null };
        // A fresh listing takes an exec anyway: send the page beside it (in impersonation
        // mode once this person may read the agent's files), unless this agent's last page
        // needed no pod at all.
        if (push && !inventoryIsFresh(a.ref) && !lastPageCached.get(agentKey(a.ref))) {
          const { from, to, session } = opts.filters;
          const page = { offset: (requested - 1) * pageSize, size: pageSize, from, to, session };
          const files = requireImageAccess(a.ref).then(() => pushPage(a.ref, page), () => 0);
          pushed.set(agentKey(a.ref), files);
        }
        try {
          return { a, inv: await readInventory(a.ref), error: null };
        } catch (err) {
          return { a, inv: null, error: err instanceof ClusterError ? err.message : `The images could not be listed: ${(err as Error).message}` };
        }
      }),
    ),
  );
  const all: Array<{ inv: AgentInventory; entry: ImageEntry }> = [];
  const sessions = new Set<string>();
  for (const r of results) {
    if (!r.inv) continue;
    for (const entry of r.inv.images) {
      if (!inRange(entry.mtimeMs, opts.filters)) continue;
      sessions.add(entry.session);
      if (opts.filters.session && entry.session !== opts.filters.session) continue;
      all.push({ inv: r.inv, entry });
    }
  }
  all.sort((x, y) => y.entry.mtimeMs - x.entry.mtimeMs || x.entry.name.localeCompare(y.entry.name));
  const pages = Math.max(1, Math.ceil(all.length / pageSize));
  const page = Math.min(requested, pages);
  const slice = all.slice((page - 1) * pageSize, page * pageSize);
  if (warm) {
    const byAgent = new Map<AgentInventory, ImageEntry[]>();
    for (const { inv, entry } of slice) byAgent.set(inv, [...(byAgent.get(inv) ?? []), entry]);
    for (const [inv, entries] of byAgent) {
      // Only the misses: cached thumbnails need no pod.
      void Promise.all(entries.map(async (e) => ((await cachedThumbnail(inv.ref, e)) ? null : e))).then(async (missing) => {
        const wanted = missing.filter((e): e is ImageEntry => e !== null);
        if (wanted.length) warmThumbnails(inv.ref, wanted);
        // Thumbnails sent ahead may be cached by now: they still needed the pod.
        const sentAhead = (await pushed.get(agentKey(inv.ref))) ?? 0;
        lastPageCached.set(agentKey(inv.ref), wanted.length === 0 && sentAhead === 0);
      });
    }
  }
  return {
    items: slice.map(({ inv, entry }) => toGalleryItem(inv, entry)),
    total: all.length,
    page,
    pages,
    agents: results.map((r) => ({ key: agentKey(r.a.ref), ref: r.a.ref, images: r.inv?.images.length ?? 0, error: r.error })),
    sessions: [...sessions].sort(),
    errors: results.filter((r) => r.error).map((r) => `${agentKey(r.a.ref)}: ${r.error}`),
  };
}

/** Finds one listed image (the path was validated by the caller). */
export async function findImage(ref: AgentRef, name: string): Promise<{ inv: AgentInventory; entry: ImageEntry } | null> {
  const inv = await readInventory(ref);
  const entry = inv.images.find((e) => e.name === name);
  return entry ? { inv, entry } : null;
}
