import 'server-only';
import { PassThrough, type Readable } from 'node:stream';
import os from 'node:os';
import pLimit from 'p-limit';
import { agentPod, volumeKey, type AgentRef } from './agent-pod';
import { BufferPool } from './buffer-pool';
import { cacheKey, DiskCache } from './disk-cache';
import type { ImageEntry } from './inventory-output';
import { imageSettings } from './settings';
import { makeThumbnail } from './thumbnails';
import { BrandedError } from '../errors';
import { transferImages, transferPage, type PageRequest } from './transfer';
import type { PageFile } from './tar-reader';
import { processState } from '../process-state';

export interface ServedFile {
  path: string;
  size: number;
  placeholder: boolean;
}

/** One per process (lib/process-state.ts): the cache's size accounting must see every write. */
const disk = processState('images.gallery-service.disk', () => ({ cache: null as DiskCache | null }));
export function imageCache(): DiskCache {
  const s = imageSettings();
  disk.cache ??= new DiskCache(s.cacheDir, s.cacheMaxBytes);
  return disk.cache;
}
export function resetImageCacheForTests(): void {
  disk.cache = null;
  transferLimits.clear();
  pending.clear();
  inFlight.clear();
  pushes.clear();
  knownCached.clear();
}

const THUMB = 'thumb-v1';
const PLACEHOLDER = 'thumb-v1-placeholder';
const sharpLimit = pLimit(Math.max(2, os.availableParallelism()));
const originals = new BufferPool();
/** Transfers in flight per volume: more would only buffer bytes faster than sharp uses them. */
const transferLimits = processState('images.gallery-service.transferLimits', () => new Map<string, ReturnType<typeof pLimit>>());
function transferLimit(vk: string) {
  let limit = transferLimits.get(vk);
  if (!limit) transferLimits.set(vk, (limit = pLimit(imageSettings().transfersPerVolume)));
  return limit;
}

type Waiter = { resolve: (f: ServedFile) => void; reject: (e: Error) => void };
interface Tracked {
  promise: Promise<ServedFile>;
  waiter: Waiter;
  settled: boolean;
}
interface Batch {
  ref: AgentRef;
  entries: Map<string, ImageEntry>;
  timer: NodeJS.Timeout | null;
}
/** Thumbnails asked for but not fetched yet, per volume: requests arriving together share one exec. */
const pending = processState('images.gallery-service.pending', () => new Map<string, Batch>());
const inFlight = processState('images.gallery-service.inFlight', () => new Map<string, Tracked>());
const BATCH_WINDOW_MS = 15;

/** A thumbnail on its way, for every request of it to share. */
function track(key: string): Tracked {
  let waiter!: Waiter;
  const promise = new Promise<ServedFile>((resolve, reject) => (waiter = { resolve, reject }));
  const tracked: Tracked = { promise, waiter, settled: false };
  inFlight.set(key, tracked);
  void promise
    .catch(() => undefined)
    .finally(() => {
      tracked.settled = true;
      if (inFlight.get(key) === tracked) inFlight.delete(key);
    });
  return tracked;
}

/**
 * The cache key of one copy of a listed file. The entry must come from a listing (or the
 * pod's own page list): its identity (inode, size, mtime) is what ties the copy to the file.
 */
function entryKey(ref: AgentRef, entry: ImageEntry, variant: string): string {
  return cacheKey({ volume: volumeKey(ref), name: entry.name, ino: entry.ino, size: entry.size, mtimeMs: entry.mtimeMs, variant });
}
const thumbKey = (ref: AgentRef, entry: ImageEntry) => entryKey(ref, entry, THUMB);
const placeholderKey = (ref: AgentRef, entry: ImageEntry) => entryKey(ref, entry, PLACEHOLDER);

/** A thumbnail from the cache, if any: touches no pod. The entry is one of the current listing. */
export async function cachedThumbnail(ref: AgentRef, entry: ImageEntry): Promise<ServedFile | null> {
  const c = imageCache();
  const hit = await c.get(thumbKey(ref, entry));
  if (hit) {
    rememberCached(ref, entry);
    return { ...hit, placeholder: false };
  }
  const ph = await c.get(placeholderKey(ref, entry));
  if (ph) rememberCached(ref, entry);
  return ph ? { ...ph, placeholder: true } : null;
}

/**
 * Per volume, the images whose thumbnails this process has seen in the cache (`name|size|
 * mtime`, as the transfer program writes them): a page transfer leaves them out. Bounded;
 * forgetting one only costs sending it again.
 */
const knownCached = processState('images.gallery-service.knownCached', () => new Map<string, Set<string>>());
const KNOWN_CACHED_MAX = 2_000;
function rememberCached(ref: AgentRef, entry: ImageEntry): void {
  const vk = volumeKey(ref);
  let known = knownCached.get(vk);
  if (!known) knownCached.set(vk, (known = new Set()));
  const id = `${entry.name}|${entry.size}|${Math.round(entry.mtimeMs)}`;
  known.delete(id);
  known.add(id);
  if (known.size > KNOWN_CACHED_MAX) known.delete(known.values().next().value!);
}

/**
 * The thumbnail of one image: from the cache, or fetched together with every other
 * thumbnail asked for in the same moment (one exec for many files).
 */
export async function thumbnail(ref: AgentRef, entry: ImageEntry): Promise<ServedFile> {
  const hit = await cachedThumbnail(ref, entry);
  if (hit) return hit;
  const key = thumbKey(ref, entry);
  const vk = volumeKey(ref);
  // A page transfer is picking files in the pod: once it said which, this one may be among them.
  const sending = pushes.get(vk);
  if (sending && !inFlight.has(key)) await Promise.all([...sending].map((push) => push.named));
  const running = inFlight.get(key);
  if (running) return running.promise;
  // Made while we looked? A thumbnail is in the cache before it leaves `inFlight`, so
  // a second look settles it; without it, the file would be fetched again.
  const done = await cachedThumbnail(ref, entry);
  if (done) return done;
  if (inFlight.has(key)) return inFlight.get(key)!.promise;
  const { promise } = track(key);
  let batch = pending.get(vk);
  if (!batch) {
    batch = { ref, entries: new Map(), timer: null };
    pending.set(vk, batch);
  }
  batch.entries.set(entry.name, entry);
  if (batch.entries.size >= imageSettings().batchMaxFiles) flush(vk);
  else batch.timer ??= setTimeout(() => flush(vk), BATCH_WINDOW_MS);
  return promise;
}

/**
 * Page transfers running per volume, with a promise of the moment each said which files it
 * carries (or gave up): a page's thumbnails are asked for once its listing arrived, and
 * must join those transfers rather than fetch the same files again.
 */
interface Push {
  request: string;
  named: Promise<void>;
  files: Promise<number>;
}
const pushes = processState('images.gallery-service.pushes', () => new Map<string, Set<Push>>());
/** How long a thumbnail request waits for a page transfer to name its files. */
const PAGE_LIST_WAIT_MS = 3_000;

/**
 * Starts sending a page's images while its listing is still running: the transfer program
 * picks the page in the pod as the dashboard will from the listing (see lib/pod/programs/node/transfer.js), in
 * one transfer (on a busy node a second stream costs more than it overlaps). Each file's
 * thumbnail is registered as in flight as soon as the pod names it; if the transfer fails,
 * what it did not deliver is fetched the usual way when asked for. Resolves with how many
 * files the pod named.
 */
export function pushPage(ref: AgentRef, page: PageRequest): Promise<number> {
  const vk = volumeKey(ref);
  // The same page asked for twice at once is sent once.
  const request = JSON.stringify(page);
  const running = pushes.get(vk) ?? new Set<Push>();
  for (const push of running) if (push.request === request) return push.files;
  let named!: (files: number) => void;
  const files = new Promise<number>((resolve) => (named = resolve));
  const push: Push = {
    request,
    files,
    named: Promise.race([files.then(() => undefined), new Promise<void>((r) => setTimeout(r, PAGE_LIST_WAIT_MS).unref?.())]),
  };
  pushes.set(vk, running.add(push));
  const skip = [...(knownCached.get(vk) ?? [])];
  void transferLimit(vk)(() => sendPage(ref, page, skip, named))
    .finally(() => named(0))
    .then(() => {
      running.delete(push);
      if (running.size === 0 && pushes.get(vk) === running) pushes.delete(vk);
    });
  return files;
}

async function sendPage(ref: AgentRef, page: PageRequest, skip: string[], named: (files: number) => void): Promise<void> {
  const entries = new Map<string, ImageEntry>();
  const work: Promise<void>[] = [];
  // What this transfer named but could not deliver is fetched the usual way.
  const fallBack = (entry: ImageEntry) => {
    const key = thumbKey(ref, entry);
    const tracked = inFlight.get(key);
    if (!tracked || tracked.settled) return;
    inFlight.delete(key);
    thumbnail(ref, entry).then(tracked.waiter.resolve, tracked.waiter.reject);
  };
  try {
    const target = await agentPod(ref);
    await transferPage(target, page, skip, {
      allocate: (size) => originals.take(size),
      onPage(files: PageFile[]) {
        for (const file of files) {
          const [session, name] = file.name.split('/');
          const entry: ImageEntry = {
            name: file.name,
            session,
            file: name,
            size: file.size,
            mtimeMs: file.mtimeMs,
            ino: file.ino,
            width: null,
            height: null,
          };
          const key = thumbKey(ref, entry);
          if (inFlight.has(key)) continue;
          track(key);
          entries.set(file.name, entry);
        }
        named(files.length);
      },
      onBytes(name, original) {
        const entry = entries.get(name);
        if (!entry) {
          originals.give(original);
          return;
        }
        return makeAndSettle(ref, entry, original, work);
      },
      onError(name) {
        const entry = entries.get(name);
        if (entry) fallBack(entry);
      },
    });
    await Promise.all(work);
  } catch {
    await Promise.all(work);
    for (const entry of entries.values()) fallBack(entry);
  }
}

/** Starts making the thumbnails of a page before the browser asks for them. */
export function warmThumbnails(ref: AgentRef, entries: ImageEntry[]): void {
  for (const entry of entries) thumbnail(ref, entry).catch(() => undefined);
}

function flush(vk: string): void {
  const batch = pending.get(vk);
  if (!batch) return;
  pending.delete(vk);
  if (batch.timer) clearTimeout(batch.timer);
  const { batchMaxBytes, batchMaxFiles } = imageSettings();
  // Split into as few groups as the byte and file bounds allow, of even size, so groups
  // running side by side end together instead of one long tail.
  const entries = [...batch.entries.values()];
  const bytes = entries.reduce((n, e) => n + e.size, 0);
  const count = Math.max(Math.ceil(bytes / batchMaxBytes), Math.ceil(entries.length / batchMaxFiles), 1);
  const share = bytes / count;
  const groups: ImageEntry[][] = [];
  let current: ImageEntry[] = [];
  let filled = 0;
  for (const entry of entries) {
    const over = filled + entry.size > batchMaxBytes || current.length >= batchMaxFiles;
    if (current.length > 0 && (over || (groups.length < count - 1 && filled + entry.size / 2 > share))) {
      groups.push(current);
      current = [];
      filled = 0;
    }
    current.push(entry);
    filled += entry.size;
  }
  if (current.length) groups.push(current);
  for (const group of groups) void transferLimit(vk)(() => fetchThumbnails(batch.ref, group));
}

/** Settles a thumbnail's waiter, if it still has one. */
function settle(ref: AgentRef, entry: ImageEntry, result: ServedFile | Error): void {
  const w = inFlight.get(thumbKey(ref, entry))?.waiter;
  if (!w) return;
  if (result instanceof Error) w.reject(result);
  else w.resolve(result);
}

/**
 * Makes one thumbnail from its original, caches it and settles its waiter. Thumbnailing
 * runs beside the transfer; when it falls behind, the returned promise makes the transfer
 * wait (and with it the connection), so originals never pile up in memory.
 */
function makeAndSettle(ref: AgentRef, entry: ImageEntry, original: Buffer, work: Promise<void>[]): Promise<void> | undefined {
  const job = sharpLimit(async () => {
    const t = await makeThumbnail(original, imageSettings().thumbnailSize);
    // sharp is done with the original (its cache is off): the block can take the next one.
    originals.give(original);
    const key = t.placeholder ? placeholderKey(ref, entry) : thumbKey(ref, entry);
    const path = await imageCache().put(key, t.data);
    rememberCached(ref, entry);
    settle(ref, entry, { path, size: t.data.length, placeholder: t.placeholder });
  }).catch((err) => settle(ref, entry, err as Error));
  work.push(job);
  if (sharpLimit.pendingCount >= 2) return job;
}

async function fetchThumbnails(ref: AgentRef, group: ImageEntry[]): Promise<void> {
  const byName = new Map(group.map((e) => [e.name, e]));
  const work: Promise<void>[] = [];
  try {
    const target = await agentPod(ref);
    await transferImages(
      target,
      group.map((e) => ({ name: e.name, size: e.size, mtimeMs: e.mtimeMs, ino: e.ino, source: e.source })),
      {
        allocate: (size) => originals.take(size),
        onBytes: (name, original) => makeAndSettle(ref, byName.get(name)!, original, work),
        onError(name, reason) {
          const entry = byName.get(name);
          if (entry) settle(ref, entry, new ImageUnavailableError(reason));
        },
      },
    );
    await Promise.all(work);
  } catch (err) {
    await Promise.all(work);
    for (const entry of group) settle(ref, entry, err as Error);
  }
}

/** The pod would not hand over this file; the reason is in plain words (refused, missing, changed). */
export class ImageUnavailableError extends BrandedError {
  static override readonly brand: string = 'ImageUnavailableError';
}

const originalKey = (ref: AgentRef, entry: ImageEntry) => entryKey(ref, entry, 'original');

/** The original from the cache, if any: touches no pod. The entry is one of the current listing. */
export async function cachedOriginal(ref: AgentRef, entry: ImageEntry): Promise<{ stream: Readable; size: number } | null> {
  const c = imageCache();
  const hit = await c.get(originalKey(ref, entry));
  return hit && hit.size === entry.size ? { stream: c.read(hit.path), size: hit.size } : null;
}

/**
 * The original image as a stream: from the cache, else straight from the pod (one exec),
 * copied into the cache on the way when every byte arrived.
 */
export async function openOriginal(ref: AgentRef, entry: ImageEntry): Promise<{ stream: Readable; size: number; cached: boolean }> {
  const c = imageCache();
  const key = originalKey(ref, entry);
  const hit = await cachedOriginal(ref, entry);
  if (hit) return { ...hit, cached: true };
  const target = await agentPod(ref);
  return new Promise((resolve, reject) => {
    let handed = false;
    transferImages(target, [{ name: entry.name, size: entry.size, mtimeMs: entry.mtimeMs, ino: entry.ino, source: entry.source }], {
      async onFile(_name, data, size) {
        const toClient = new PassThrough({ highWaterMark: 1024 * 1024 });
        const toCache = new PassThrough({ highWaterMark: 1024 * 1024 });
        let waiting = 0;
        const release = () => {
          if (--waiting === 0) data.resume();
        };
        data.on('data', (chunk: Buffer) => {
          // The slower of the browser and the disk sets the pace, down to the pod.
          const a = toClient.write(chunk);
          const b = toCache.write(chunk);
          if (!a || !b) {
            data.pause();
            if (!a) {
              waiting++;
              toClient.once('drain', release);
            }
            if (!b) {
              waiting++;
              toCache.once('drain', release);
            }
          }
        });
        const ended = new Promise<void>((r, j) => {
          data.on('end', () => r());
          data.on('error', j);
        });
        // A browser that went away must not stall the transfer.
        toClient.on('close', () => {
          if (!toClient.writableFinished && waiting > 0) toClient.emit('drain');
        });
        handed = true;
        resolve({ stream: toClient, size, cached: false });
        void c.putStream(key, toCache, (n) => n === size);
        try {
          await ended;
          toClient.end();
          toCache.end();
        } catch (err) {
          toClient.destroy(err as Error);
          toCache.destroy(err as Error);
        }
      },
      onError(_name, reason) {
        if (!handed) reject(new ImageUnavailableError(reason));
      },
    }).catch((err) => {
      if (!handed) reject(err);
    });
  });
}
