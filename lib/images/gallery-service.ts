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
import { openTransfer, transferImages, type OpenTransfer } from './transfer';

export interface ServedFile {
  path: string;
  size: number;
  placeholder: boolean;
}

let cache: DiskCache | null = null;
export function imageCache(): DiskCache {
  const s = imageSettings();
  cache ??= new DiskCache(s.cacheDir, s.cacheMaxBytes);
  return cache;
}
export function resetImageCacheForTests(): void {
  cache = null;
  transferLimits.clear();
  pending.clear();
  inFlight.clear();
  for (const vk of [...standbys.keys()]) releaseThumbnailTransfer(vk);
}

const THUMB = 'thumb-v1';
const PLACEHOLDER = 'thumb-v1-placeholder';
const sharpLimit = pLimit(Math.max(2, os.availableParallelism()));
const originals = new BufferPool();
/** Transfers in flight per volume: more would only buffer bytes faster than sharp uses them. */
const transferLimits = new Map<string, ReturnType<typeof pLimit>>();
function transferLimit(vk: string) {
  let limit = transferLimits.get(vk);
  if (!limit) transferLimits.set(vk, (limit = pLimit(imageSettings().transfersPerVolume)));
  return limit;
}

type Waiter = { resolve: (f: ServedFile) => void; reject: (e: Error) => void };
interface Batch {
  ref: AgentRef;
  entries: Map<string, ImageEntry>;
  timer: NodeJS.Timeout | null;
}
/** Thumbnails asked for but not fetched yet, per volume: requests arriving together share one exec. */
const pending = new Map<string, Batch>();
const inFlight = new Map<string, { promise: Promise<ServedFile>; waiter?: Waiter }>();
const BATCH_WINDOW_MS = 15;

function thumbKey(ref: AgentRef, entry: ImageEntry): string {
  return cacheKey({ volume: volumeKey(ref), name: entry.name, size: entry.size, mtimeMs: entry.mtimeMs, variant: THUMB });
}
function placeholderKey(ref: AgentRef, entry: ImageEntry): string {
  return cacheKey({ volume: volumeKey(ref), name: entry.name, size: entry.size, mtimeMs: entry.mtimeMs, variant: PLACEHOLDER });
}

/** A thumbnail from the cache, if any: touches no pod. */
export async function cachedThumbnail(ref: AgentRef, entry: ImageEntry): Promise<ServedFile | null> {
  const c = imageCache();
  const hit = await c.get(thumbKey(ref, entry));
  if (hit) return { ...hit, placeholder: false };
  const ph = await c.get(placeholderKey(ref, entry));
  return ph ? { ...ph, placeholder: true } : null;
}

/**
 * The thumbnail of one image: from the cache, or fetched together with every other
 * thumbnail asked for in the same moment (one exec for many files).
 */
export async function thumbnail(ref: AgentRef, entry: ImageEntry): Promise<ServedFile> {
  const hit = await cachedThumbnail(ref, entry);
  if (hit) return hit;
  const key = thumbKey(ref, entry);
  const running = inFlight.get(key);
  if (running) return running.promise;
  let waiter!: Waiter;
  const promise = new Promise<ServedFile>((resolve, reject) => (waiter = { resolve, reject }));
  inFlight.set(key, { promise, waiter });
  promise.catch(() => undefined).finally(() => inFlight.delete(key));
  const vk = volumeKey(ref);
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
 * Transfers opened while an agent's images are being listed, so the first page's bytes
 * can flow as soon as the listing says which files they are: the execs' round trips and
 * the pod program's start-up happen beside the listing instead of after it. As many per
 * volume as transfers may run side by side; given up unused after STANDBY_MS (the
 * program then ends without sending anything).
 */
const standbys = new Map<string, { transfers: Array<Promise<OpenTransfer | null>>; timer: NodeJS.Timeout }>();
const STANDBY_MS = 5_000;

export function prepareThumbnailTransfer(ref: AgentRef, count = imageSettings().transfersPerVolume): void {
  const vk = volumeKey(ref);
  if (standbys.has(vk)) return;
  const pod = agentPod(ref);
  const transfers = Array.from({ length: Math.max(1, Math.min(count, imageSettings().transfersPerVolume)) }, () =>
    pod.then(
      (target) => openTransfer(target),
      () => null,
    ),
  );
  const timer = setTimeout(() => releaseThumbnailTransfer(vk), STANDBY_MS);
  timer.unref?.();
  standbys.set(vk, { transfers, timer });
}

/** Gives up the prepared transfers that turned out not to be needed (every thumbnail cached). */
export function releaseThumbnailTransfer(refOrKey: AgentRef | string): void {
  const vk = typeof refOrKey === 'string' ? refOrKey : volumeKey(refOrKey);
  for (const t of takeStandbys(vk)) void t.then((transfer) => transfer?.cancel());
}

function takeStandbys(vk: string): Array<Promise<OpenTransfer | null>> {
  const standby = standbys.get(vk);
  if (!standby) return [];
  standbys.delete(vk);
  clearTimeout(standby.timer);
  return standby.transfers;
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
  // Groups take the transfers prepared during the listing, if any; the ones left over end.
  const prepared = takeStandbys(vk);
  groups.forEach((group, i) => void transferLimit(vk)(async () => fetchThumbnails(batch.ref, group, (await prepared[i]) ?? null)));
  for (const t of prepared.slice(groups.length)) void t.then((transfer) => transfer?.cancel());
}

async function fetchThumbnails(ref: AgentRef, group: ImageEntry[], prepared: OpenTransfer | null): Promise<void> {
  const settle = (entry: ImageEntry, result: ServedFile | Error) => {
    const w = inFlight.get(thumbKey(ref, entry))?.waiter;
    if (!w) return;
    if (result instanceof Error) w.reject(result);
    else w.resolve(result);
  };
  const byName = new Map(group.map((e) => [e.name, e]));
  const work: Promise<void>[] = [];
  try {
    const target = await agentPod(ref);
    await transferImages(
      target,
      group.map((e) => ({ name: e.name, size: e.size })),
      {
        allocate: (size) => originals.take(size),
        onBytes(name, original) {
          const entry = byName.get(name)!;
          const job = sharpLimit(async () => {
            const t = await makeThumbnail(original, imageSettings().thumbnailSize);
            // sharp is done with the original (its cache is off): the block can take the next one.
            originals.give(original);
            const key = t.placeholder ? placeholderKey(ref, entry) : thumbKey(ref, entry);
            const path = await imageCache().put(key, t.data);
            settle(entry, { path, size: t.data.length, placeholder: t.placeholder });
          }).catch((err) => settle(entry, err as Error));
          work.push(job);
          // Thumbnailing runs beside the transfer; when it falls behind, the transfer waits
          // (and with it the connection), so originals never pile up in memory.
          if (sharpLimit.pendingCount >= 2) return job;
        },
        onError(name, reason) {
          const entry = byName.get(name);
          if (entry) settle(entry, new ImageUnavailableError(reason));
        },
      },
      prepared,
    );
    await Promise.all(work);
  } catch (err) {
    prepared?.cancel();
    await Promise.all(work);
    for (const entry of group) settle(entry, err as Error);
  }
}

/** The pod would not hand over this file; the reason is in plain words (refused, missing, changed). */
export class ImageUnavailableError extends Error {}

/**
 * The original image as a stream: from the cache, else straight from the pod (one exec),
 * copied into the cache on the way when every byte arrived.
 */
function originalKey(ref: AgentRef, entry: ImageEntry): string {
  return cacheKey({ volume: volumeKey(ref), name: entry.name, size: entry.size, mtimeMs: entry.mtimeMs, variant: 'original' });
}

/** The original from the cache, if any: touches no pod. */
export async function cachedOriginal(ref: AgentRef, entry: ImageEntry): Promise<{ stream: Readable; size: number } | null> {
  const c = imageCache();
  const hit = await c.get(originalKey(ref, entry));
  return hit && hit.size === entry.size ? { stream: c.read(hit.path), size: hit.size } : null;
}

export async function openOriginal(ref: AgentRef, entry: ImageEntry): Promise<{ stream: Readable; size: number; cached: boolean }> {
  const c = imageCache();
  const key = originalKey(ref, entry);
  const hit = await cachedOriginal(ref, entry);
  if (hit) return { ...hit, cached: true };
  const target = await agentPod(ref);
  return new Promise((resolve, reject) => {
    let handed = false;
    transferImages(target, [{ name: entry.name, size: entry.size }], {
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
            if (!a) waiting++, toClient.once('drain', release);
            if (!b) waiting++, toCache.once('drain', release);
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
