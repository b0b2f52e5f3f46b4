import 'server-only';
import pLimit from 'p-limit';
import { getFleet } from '../fleet/fleet';
import { ClusterError } from '../k8s/errors';
import type { AgentRef } from './agent-pod';
import { cachedThumbnail, pushPage, warmThumbnails } from './gallery-service';
import { inventoryIsFresh, readInventory, requireImageAccess, type AgentInventory } from './inventory';
import type { ImageEntry } from './inventory-output';
import { imageContentType } from './paths';
import type { ImageGeneration, SenderContext } from '../codex/rollout';
import { processState } from '../process-state';

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
  /** The request that led to this image, as the session recorded it (sender_context removed). */
  request: string | null;
  /** Codex's rewording of the request for the image model, where the session holds one. */
  revisedPrompt: string | null;
  /** Who asked for this image: the Discord user of the prompt in effect. */
  askedBy: string | null;
  /** The read-only conversation of the session that made it. */
  conversationUrl: string;
  /** Where the file is: Codex's generated_images, or the stable folder the delivery skill copies to. */
  source: 'generated' | 'stable';
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
  /** Words that must all appear in the request, revised prompt, who asked or the file name. */
  q?: string;
}

export interface GalleryPage {
  items: GalleryItem[];
  total: number;
  page: number;
  pages: number;
  agents: Array<{ key: string; ref: AgentRef; images: number; error: string | null }>;
  sessions: string[];
  errors: string[];
  /** The image asked for with `image`, when it is in this view (it is then on this page). */
  focus: string | null;
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

/** The image call that made this file (Codex names the file after it), with its story. */
function generationOf(inv: AgentInventory, entry: ImageEntry): ImageGeneration | undefined {
  const callId = entry.file.replace(/\.[A-Za-z0-9]+$/, '');
  return inv.sessions.get(entry.session)?.rollout.imageGenerations.find((g) => g.callId === callId);
}

const senderLabel = (sender: SenderContext | null | undefined): string | null => sender?.displayName ?? sender?.senderName ?? null;

/** The read-only conversation of one session of an agent. */
export function conversationPath(ref: AgentRef, session: string): string {
  return `/agents/${encodeURIComponent(ref.clusterId)}/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}/images/sessions/${encodeURIComponent(session)}`;
}

export function toGalleryItem(inv: AgentInventory, entry: ImageEntry): GalleryItem {
  const ref = inv.ref;
  const session = inv.sessions.get(entry.session);
  const sender = session?.sender ?? null;
  const generation = generationOf(inv, entry);
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
    senderName: senderLabel(sender),
    request: generation?.request ?? null,
    revisedPrompt: generation?.revisedPrompt ?? null,
    askedBy: senderLabel(generation?.sender) ?? senderLabel(sender),
    conversationUrl: conversationPath(ref, entry.session),
    source: entry.source ?? 'generated',
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

/** Whether every word of the query appears in what is known of the image (case-insensitive). */
function matchesQuery(inv: AgentInventory, entry: ImageEntry, q: string | undefined): boolean {
  const words = (q ?? '').toLowerCase().split(/\s+/).filter(Boolean).slice(0, 20);
  if (words.length === 0) return true;
  const generation = generationOf(inv, entry);
  const sender = generation?.sender ?? inv.sessions.get(entry.session)?.sender;
  const haystack = [generation?.request, generation?.revisedPrompt, sender?.displayName, sender?.senderName, entry.file, entry.session]
    .filter(Boolean)
    .join('\n')
    .toLowerCase();
  return words.every((word) => haystack.includes(word));
}

/** The agents of the fleet whose pods can be read (a gallery shows them all). */
export async function galleryAgents(): Promise<Array<{ ref: AgentRef; error: string | null }>> {
  const fleet = await getFleet({ lookedAt: 'none' });
  return fleet.agents.map((a) => ({
    ref: { clusterId: a.clusterId, namespace: a.workload.namespace, name: a.workload.name },
    error: a.pod ? null : (a.problem ?? 'No running pod.'),
  }));
}

/** Per agent: whether the last page shown needed no pod (then its next listing sends no page ahead). */
const lastPageCached = processState('images.gallery.lastPageCached', () => new Map<string, boolean>());

/** Tests start a "new process". */
export function resetGalleryForTests(): void {
  lastPageCached.clear();
}

/**
 * One page of images, newest first, from one agent or the whole fleet: one listing exec
 * per agent (cached briefly), then the page's thumbnails are started in one batch per agent.
 */
export async function listGallery(opts: {
  agents: Array<{ ref: AgentRef; error: string | null }>;
  filters: GalleryFilters;
  page: number;
  pageSize?: number;
  warm?: boolean;
  /** An image id: the page shown is the one holding it. */
  focus?: string;
  /** YYYY-MM-DD: the page shown is the one holding the newest image of that day or before. */
  date?: string;
}): Promise<GalleryPage> {
  const pageSize = opts.pageSize ?? GALLERY_PAGE_SIZE;
  const warm = opts.warm !== false;
  const listed = opts.agents.filter((a) => !a.error && (!opts.filters.agent || opts.filters.agent === agentKey(a.ref)));
  // One agent's page is sent while it is listed; across the fleet most agents have nothing
  // on the page, and a page transfer per agent would be mostly waste.
  // The pod picks a page as the dashboard does only by date and session: not by words, an image or a day to jump to.
  const push = warm && listed.length === 1 && !opts.filters.q && !opts.focus && !opts.date;
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
          const files = requireImageAccess(a.ref).then(
            () => pushPage(a.ref, page),
            () => 0,
          );
          pushed.set(agentKey(a.ref), files);
        }
        try {
          return { a, inv: await readInventory(a.ref), error: null };
        } catch (err) {
          return {
            a,
            inv: null,
            error: err instanceof ClusterError ? err.message : `The images could not be listed: ${(err as Error).message}`,
          };
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
      if (!matchesQuery(r.inv, entry, opts.filters.q)) continue;
      all.push({ inv: r.inv, entry });
    }
  }
  all.sort((x, y) => y.entry.mtimeMs - x.entry.mtimeMs || x.entry.name.localeCompare(y.entry.name));
  const pages = Math.max(1, Math.ceil(all.length / pageSize));
  const focusIndex = opts.focus ? all.findIndex(({ inv, entry }) => `${agentKey(inv.ref)}/${entry.name}` === opts.focus) : -1;
  const dateIndex =
    opts.date && /^\d{4}-\d{2}-\d{2}$/.test(opts.date)
      ? all.findIndex(({ entry }) => new Date(entry.mtimeMs).toISOString().slice(0, 10) <= opts.date!)
      : -1;
  const jumpTo = focusIndex >= 0 ? focusIndex : opts.date ? (dateIndex >= 0 ? dateIndex : all.length - 1) : -1;
  const page = jumpTo >= 0 ? Math.floor(jumpTo / pageSize) + 1 : Math.min(requested, pages);
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
    focus: focusIndex >= 0 ? opts.focus! : null,
  };
}

/** Finds one listed image (the path was validated by the caller). */
export async function findImage(ref: AgentRef, name: string): Promise<{ inv: AgentInventory; entry: ImageEntry } | null> {
  const inv = await readInventory(ref);
  const entry = inv.images.find((e) => e.name === name);
  return entry ? { inv, entry } : null;
}
