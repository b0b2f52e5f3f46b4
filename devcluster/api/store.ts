// In-memory object store with one global resourceVersion counter and watch fan-out.
// Objects are kept as plain JSON-shaped records and only serialized when sent.
import { randomUUID } from 'node:crypto';
import { ApiError } from './status';

export type K8sObject = Record<string, any>;
export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface StoreEvent {
  type: WatchType;
  rv: number;
  object: K8sObject;
  /** The object serialized at the moment of the event. */
  json: string;
}
export type StoreListener = (ev: StoreEvent) => void;

/** How many past events per resource a watch can resume from before getting 410 Gone. */
const HISTORY_LIMIT = 5000;

interface History {
  entries: Array<{ type: WatchType; rv: number; json: string }>;
  /** Oldest resourceVersion still resumable. */
  floor: number;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export class ObjectStore {
  private rv = 1000;
  private readonly maps = new Map<string, Map<string, K8sObject>>();
  private readonly listeners = new Map<string, Set<StoreListener>>();
  private readonly history = new Map<string, History>();
  /** Versions at or below this were compacted away (as etcd compaction does): resuming from one is 410 Gone. */
  private compactedRv = 0;

  currentVersion(): number {
    return this.rv;
  }

  private map(resource: string): Map<string, K8sObject> {
    let m = this.maps.get(resource);
    if (!m) {
      m = new Map();
      this.maps.set(resource, m);
    }
    return m;
  }

  get(resource: string, namespace: string | undefined, name: string): K8sObject | undefined {
    return this.map(resource).get(objectKey(namespace, name));
  }

  /** Live objects (do not mutate without calling update()). */
  list(resource: string, namespace?: string): K8sObject[] {
    const all = [...this.map(resource).values()];
    return namespace ? all.filter((o) => o.metadata.namespace === namespace) : all;
  }

  create(resource: string, obj: K8sObject): K8sObject {
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    const m = this.map(resource);
    if (m.has(key)) throw new ApiError(409, 'AlreadyExists', `${resource} "${obj.metadata.name}" already exists`);
    obj.metadata.uid ??= randomUUID();
    obj.metadata.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    obj.metadata.resourceVersion = String(++this.rv);
    m.set(key, obj);
    this.emit(resource, 'ADDED', obj);
    return obj;
  }

  /** Stores obj (the live one after in-place changes, or a replacement) under a new resourceVersion. */
  update(resource: string, obj: K8sObject): K8sObject {
    const key = objectKey(obj.metadata.namespace, obj.metadata.name);
    const m = this.map(resource);
    if (!m.has(key)) return obj;
    obj.metadata.resourceVersion = String(++this.rv);
    m.set(key, obj);
    this.emit(resource, 'MODIFIED', obj);
    return obj;
  }

  remove(resource: string, namespace: string | undefined, name: string): K8sObject | undefined {
    const key = objectKey(namespace, name);
    const m = this.map(resource);
    const obj = m.get(key);
    if (!obj) return undefined;
    m.delete(key);
    obj.metadata.resourceVersion = String(++this.rv);
    this.emit(resource, 'DELETED', obj);
    return obj;
  }

  subscribe(resource: string, listener: StoreListener): () => void {
    let set = this.listeners.get(resource);
    if (!set) {
      set = new Set();
      this.listeners.set(resource, set);
    }
    set.add(listener);
    return () => set!.delete(listener);
  }

  /**
   * Events after `sinceRv` (exclusive), or null when that point is older than the
   * retained history (the caller answers 410 Gone, as etcd compaction would).
   */
  eventsSince(resource: string, sinceRv: number): Array<{ type: WatchType; rv: number; json: string }> | null {
    if (sinceRv < this.compactedRv) return null;
    const h = this.history.get(resource);
    if (!h) return [];
    if (sinceRv < Math.max(h.floor, this.compactedRv)) return null;
    const out: Array<{ type: WatchType; rv: number; json: string }> = [];
    for (let i = h.entries.length - 1; i >= 0 && h.entries[i].rv > sinceRv; i--) out.push(h.entries[i]);
    return out.reverse();
  }

  private readonly watchClosers = new Set<() => void>();

  /** Registers how to end an open watch stream when the server is told to drop them all. */
  onCloseWatches(close: () => void): () => void {
    this.watchClosers.add(close);
    return () => this.watchClosers.delete(close);
  }

  /**
   * Forgets every past event: a watch can resume only from the current version on. With
   * closeWatches, open watches end too, as when an API server restarts.
   */
  compact(closeWatches = false): number {
    if (closeWatches) for (const close of [...this.watchClosers]) close();
    this.compactedRv = this.rv;
    for (const h of this.history.values()) {
      h.entries = [];
      h.floor = this.rv;
    }
    return this.rv;
  }

  private emit(resource: string, type: WatchType, obj: K8sObject): void {
    const json = JSON.stringify(obj);
    let h = this.history.get(resource);
    if (!h) {
      h = { entries: [], floor: 0 };
      this.history.set(resource, h);
    }
    h.entries.push({ type, rv: this.rv, json });
    if (h.entries.length > HISTORY_LIMIT) {
      const dropped = h.entries.splice(0, h.entries.length - HISTORY_LIMIT);
      h.floor = dropped[dropped.length - 1].rv;
    }
    const set = this.listeners.get(resource);
    if (!set) return;
    const ev: StoreEvent = { type, rv: this.rv, object: obj, json };
    for (const l of set) l(ev);
  }
}
