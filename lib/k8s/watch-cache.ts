import 'server-only';
import * as k8s from '@kubernetes/client-node';
import { getSettings } from '../settings';
import { processState } from '../process-state';
import { withDeadline, type Cluster } from './clusters';
import { ClusterError, toClusterError } from './errors';
import { asDashboard } from './impersonation';

/**
 * What the dashboard knows of the agents' Deployments, Pods and Events, per cluster, kept by
 * list+watch as client-go's reflector keeps it: one list, then one watch per kind resuming from
 * the list's resourceVersion, with bookmarks, a relist on 410 Gone, and a reconnect (from the
 * newest version seen) when a watch ends. Pages read from here and make no list call.
 *
 * The lists and watches are made as the dashboard itself; in impersonation mode whoever reads
 * must be checked first (lib/k8s/access.ts requireReadAccess).
 */

type Obj = { metadata?: k8s.V1ObjectMeta };
type Lister<T> = () => Promise<{ items: T[]; metadata?: k8s.V1ListMeta }>;

const LIST_DEADLINE_MS = 10_000;
/** A watch idle this long (no event, no bookmark) is taken as dead and reopened. */
const IDLE_MS = 6 * 60_000;
/** A watch that keeps failing this long no longer counts as up to date: the next read relists. */
const STALE_AFTER_MS = 30_000;

export interface KindCache<T> {
  /** Resolves when the cache holds a list no older than what the watch delivered (lists again if it does not). */
  ready(): Promise<void>;
  /** The same array while the version is the same (shared: nobody mutates it). */
  items(namespace?: string): readonly T[];
  get(namespace: string, name: string): T | undefined;
  /** A new object on every change of what is held: what was derived from the items may be kept while it stays the same. */
  readonly version: object;
  stop(): void;
}

class Reflector<T extends Obj> implements KindCache<T> {
  private objects = new Map<string, T>();
  version: object = {};
  /** Every object, as last listed by items(), and the version it was made at. */
  private all: { version: object; items: readonly T[] } | null = null;
  private resourceVersion = '';
  private listing: Promise<void> | null = null;
  private synced = false;
  private failingSince: number | null = null;
  private abort: AbortController | null = null;
  private retry: NodeJS.Timeout | null = null;
  private backoffMs = 0;
  private stopped = false;
  /** Which watch is current: a watch ended by a relist or a newer watch must not start another. */
  private generation = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly what: string,
    private readonly path: string,
    private readonly list: Lister<T>,
    private readonly labelSelector?: string,
  ) {}

  ready(): Promise<void> {
    if (this.synced && (this.failingSince === null || Date.now() - this.failingSince < STALE_AFTER_MS)) return Promise.resolve();
    this.listing ??= this.relist().finally(() => {
      this.listing = null;
    });
    return this.listing;
  }

  items(namespace?: string): readonly T[] {
    if (this.all?.version !== this.version) this.all = { version: this.version, items: [...this.objects.values()] };
    const all = this.all.items;
    return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
  }

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    if (this.retry) clearTimeout(this.retry);
  }

  private async relist(): Promise<void> {
    this.generation++;
    this.abort?.abort();
    let listed: Awaited<ReturnType<Lister<T>>>;
    try {
      listed = await withDeadline(asDashboard(this.list), LIST_DEADLINE_MS, this.what);
    } catch (err) {
      throw toClusterError(err, this.what);
    }
    const next = new Map<string, T>();
    for (const o of listed.items) next.set(keyOf(o), o);
    this.objects = next;
    this.version = {};
    this.resourceVersion = listed.metadata?.resourceVersion ?? '';
    this.synced = true;
    this.failingSince = null;
    if (!this.stopped) void this.watch();
  }

  private async watch(): Promise<void> {
    const generation = ++this.generation;
    const watcher = new k8s.Watch(this.cluster.kc);
    (watcher as unknown as { requestTimeoutMs: number }).requestTimeoutMs = IDLE_MS;
    let expired = false;
    const query: Record<string, string | number | boolean> = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      // As client-go: a random 5 to 10 minutes, so the watches of many replicas do not reconnect together.
      timeoutSeconds: 300 + Math.floor(Math.random() * 300),
    };
    if (this.labelSelector) query.labelSelector = this.labelSelector;
    const onEvent = (type: string, obj: T & { code?: number }) => {
      if (generation !== this.generation) return;
      if (type === 'ERROR') {
        if (obj.code === 410) expired = true;
        return;
      }
      if (type === 'ADDED' || type === 'MODIFIED') this.objects.set(keyOf(obj), obj);
      else if (type === 'DELETED') this.objects.delete(keyOf(obj));
      if (type !== 'BOOKMARK') this.version = {};
      const rv = obj.metadata?.resourceVersion;
      if (rv) this.resourceVersion = rv;
      this.backoffMs = 0;
      this.failingSince = null;
    };
    const onDone = (err: unknown) => {
      if (this.stopped || generation !== this.generation) return;
      const gone =
        expired ||
        (err as { statusCode?: number; code?: number } | null)?.statusCode === 410 ||
        (err as { code?: number } | null)?.code === 410;
      if (gone) {
        // The version we held was compacted away: only a new list can say what is there now.
        this.synced = false;
        this.schedule(() => this.ready().catch(() => this.markFailing()), 0);
        return;
      }
      if (err && !(err instanceof Error && err.name === 'AbortError')) this.markFailing();
      this.schedule(() => this.watch().catch(() => this.markFailing()), err ? this.nextBackoff() : 0);
    };
    try {
      const abort = await asDashboard(() => watcher.watch(this.path, query, onEvent, onDone));
      if (generation === this.generation && !this.stopped) this.abort = abort;
      else abort.abort();
    } catch {
      if (generation !== this.generation || this.stopped) return;
      this.markFailing();
      this.schedule(() => this.watch().catch(() => this.markFailing()), this.nextBackoff());
    }
  }

  private markFailing(): void {
    this.failingSince ??= Date.now();
    if (!this.retry && !this.stopped) this.schedule(() => this.ready().catch(() => this.markFailing()), this.nextBackoff());
  }

  private nextBackoff(): number {
    this.backoffMs = Math.min(this.backoffMs ? this.backoffMs * 2 : 500, 30_000);
    return this.backoffMs;
  }

  private schedule(fn: () => unknown, ms: number): void {
    if (this.stopped) return;
    if (this.retry) clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.retry = null;
      if (!this.stopped) void fn();
    }, ms);
    this.retry.unref?.();
  }
}

function keyOf(o: Obj): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

/** The kinds the dashboard's pages read, for one namespace scope (null: all namespaces). */
export interface ScopeCache {
  deployments: KindCache<k8s.V1Deployment>;
  pods: KindCache<k8s.V1Pod>;
  events: KindCache<k8s.CoreV1Event>;
}

function scopeCache(cluster: Cluster, namespace: string | null, labelSelector: string): ScopeCache {
  const ns = namespace ? encodeURIComponent(namespace) : '';
  const listing = `listing agents in cluster ${cluster.label}`;
  return {
    deployments: new Reflector(
      cluster,
      listing,
      ns ? `/apis/apps/v1/namespaces/${ns}/deployments` : '/apis/apps/v1/deployments',
      () =>
        namespace
          ? cluster.apps.listNamespacedDeployment({ namespace, labelSelector })
          : cluster.apps.listDeploymentForAllNamespaces({ labelSelector }),
      labelSelector,
    ),
    pods: new Reflector(
      cluster,
      listing,
      ns ? `/api/v1/namespaces/${ns}/pods` : '/api/v1/pods',
      () =>
        namespace ? cluster.core.listNamespacedPod({ namespace, labelSelector }) : cluster.core.listPodForAllNamespaces({ labelSelector }),
      labelSelector,
    ),
    events: new Reflector(
      cluster,
      `reading events${namespace ? ` in ${namespace}` : ''}`,
      ns ? `/api/v1/namespaces/${ns}/events` : '/api/v1/events',
      () => (namespace ? cluster.core.listNamespacedEvent({ namespace }) : cluster.core.listEventForAllNamespaces({})),
    ),
  };
}

/** One cache per cluster, per the settings it was built for (a changed selector or scope starts a new one). */
interface ClusterCache {
  key: string;
  scopes: Map<string, ScopeCache>;
}

/** One per process (lib/process-state.ts): one watch per kind per cluster, whichever bundle reads. */
const { caches, live } = processState('k8s.watchCaches', () => ({
  caches: new WeakMap<Cluster, ClusterCache>(),
  live: new Set<ClusterCache>(),
}));

function cacheFor(cluster: Cluster, labelSelector: string): ClusterCache {
  const { namespaces } = getSettings();
  const key = `${labelSelector}\u0000${namespaces?.join(',') ?? '*'}`;
  let c = caches.get(cluster);
  if (c?.key === key) return c;
  if (c) stopCache(c);
  // With WATCH_NAMESPACES one watch per kind per namespace (the dashboard may be granted only
  // those namespaces); without, one per kind for the whole cluster.
  c = { key, scopes: new Map((namespaces ?? [null]).map((ns) => [ns ?? '', scopeCache(cluster, ns, labelSelector)])) };
  caches.set(cluster, c);
  live.add(c);
  return c;
}

function stopCache(c: ClusterCache): void {
  for (const s of c.scopes.values()) for (const k of [s.deployments, s.pods, s.events]) k.stop();
  live.delete(c);
}

/** Stops every watch (the clusters were reloaded, or a test ends). */
export function stopWatchCaches(): void {
  for (const c of [...live]) stopCache(c);
}

export type CachedKind = keyof ScopeCache;

/**
 * The cached objects of one kind, of one namespace or of every watched one; waits for the first
 * list (or a relist after the watch failed for a while), never for anything else.
 */
export async function cachedObjects<K extends CachedKind>(
  cluster: Cluster,
  labelSelector: string,
  kind: K,
  namespace?: string,
): Promise<ReadonlyArray<ScopeCache[K] extends KindCache<infer T> ? T : never>> {
  return (await cachedSnapshot(cluster, labelSelector, kind, namespace)).items;
}

/**
 * The cached objects with the versions they were read at (taken together, nothing in between):
 * the same versions on a later read mean the same objects.
 */
export async function cachedSnapshot<K extends CachedKind>(
  cluster: Cluster,
  labelSelector: string,
  kind: K,
  namespace?: string,
): Promise<{ items: ReadonlyArray<ScopeCache[K] extends KindCache<infer T> ? T : never>; versions: object[] }> {
  const c = cacheFor(cluster, labelSelector);
  const scopes = namespace !== undefined && c.scopes.has(namespace) ? [c.scopes.get(namespace)!] : [...c.scopes.values()];
  if (scopes.length === 0) throw new ClusterError(`No namespace is watched in cluster ${cluster.label}.`, 'not-found', 404);
  await Promise.all(scopes.map((s) => s[kind].ready()));
  const caches = scopes.map((s) => s[kind] as KindCache<Obj>);
  const items = caches.length === 1 ? caches[0].items(namespace) : caches.flatMap((k) => k.items(namespace));
  return { items: items as never, versions: caches.map((k) => k.version) };
}
