import 'server-only';
import os from 'node:os';
import path from 'node:path';

export interface ImageSettings {
  /** Where thumbnails and fetched images are kept between views. */
  cacheDir: string;
  cacheMaxBytes: number;
  /** How long one listing of an agent's images is reused. */
  listCacheMs: number;
  execTimeoutMs: number;
  /** Most bytes fetched in one exec (many files per exec, but bounded memory). */
  batchMaxBytes: number;
  batchMaxFiles: number;
  /** Transfers from one agent running at once. */
  transfersPerVolume: number;
  thumbnailSize: number;
}

let cached: ImageSettings | null = null;

const num = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
};

export function imageSettings(): ImageSettings {
  if (cached) return cached;
  const env = process.env;
  cached = {
    cacheDir: env.IMAGE_CACHE_DIR?.trim() || path.join(os.tmpdir(), 'openab-dashboard-images'),
    cacheMaxBytes: num(env.IMAGE_CACHE_MAX_MB, 512) * 1024 * 1024,
    listCacheMs: num(env.IMAGE_LIST_CACHE_MS, 30_000),
    execTimeoutMs: num(env.IMAGE_EXEC_TIMEOUT_MS, 60_000),
    batchMaxBytes: num(env.IMAGE_BATCH_MAX_MB, 64) * 1024 * 1024,
    batchMaxFiles: num(env.IMAGE_BATCH_MAX_FILES, 48),
    transfersPerVolume: num(env.IMAGE_TRANSFERS_PER_VOLUME, 2),
    thumbnailSize: num(env.IMAGE_THUMBNAIL_PX, 320),
  };
  return cached;
}

export function resetImageSettings(): void {
  cached = null;
}
