// Real PNGs are slow to make (hundreds of them, up to a few MB each), so the seed
// renders a pool once into a versioned cache directory and every run links from it.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { codexFieldFacts, codexLauncherFor, FIELD_CODEX_VERSIONS, type FieldCodexVersion } from '../runtime/codex-versions';
import { createRng } from './random';
import { recordRealSessions, type RealSession } from './real-sessions';

/** Bump when the pool's content or layout changes: a new directory is built beside the old. */
export const SEED_CACHE_VERSION = 'v3';
/**
 * Enough distinct images for the default demo fleet; larger fleets reuse them.
 * OPENAB_SEED_POOL_SIZE (with OPENAB_SEED_CACHE_DIR) lets tests build a small pool.
 */
const DEFAULT_POOL_SIZE = 400;
export const IMAGE_POOL_SIZE = Number(process.env.OPENAB_SEED_POOL_SIZE) || DEFAULT_POOL_SIZE;

export interface PooledImage {
  /** File name inside the pool directory. */
  file: string;
  width: number;
  height: number;
  bytes: number;
}

export interface ImagePool {
  dir: string;
  images: PooledImage[];
  /**
   * Rollouts recorded with the real Codex CLI of each field version (absolute paths; missing
   * or empty where that Codex cannot run).
   */
  realSessions: Partial<Record<FieldCodexVersion, RealSession[]>>;
}

/** Bump when the recorded scenarios change: each version records again, beside the old. */
const REAL_SESSIONS_CACHE_VERSION = 'r2';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function seedCacheRoot(): string {
  return process.env.OPENAB_SEED_CACHE_DIR || path.join(PROJECT_ROOT, 'node_modules', '.cache', 'openab-devcluster-seed');
}

function poolDir(): string {
  return path.join(
    seedCacheRoot(),
    IMAGE_POOL_SIZE === DEFAULT_POOL_SIZE ? SEED_CACHE_VERSION : `${SEED_CACHE_VERSION}-${IMAGE_POOL_SIZE}`,
  );
}

let poolPromise: Promise<ImagePool> | undefined;

/** The image pool, built on first use (by this or a concurrent process) and reused after. */
export function ensureImagePool(): Promise<ImagePool> {
  poolPromise ??= loadOrBuildPool().catch((err) => {
    poolPromise = undefined;
    throw err;
  });
  return poolPromise;
}

async function loadOrBuildPool(): Promise<ImagePool> {
  const dir = poolDir();
  const existing = await readManifest(dir);
  if (existing) return { ...existing, realSessions: await ensureRealSessions(await fs.readFile(path.join(dir, existing.images[0].file))) };
  await fs.mkdir(seedCacheRoot(), { recursive: true });
  // Built aside and renamed into place, so a reader never sees a half-made pool and
  // two first runs at once both end up with one complete directory.
  const tmp = await fs.mkdtemp(path.join(seedCacheRoot(), `.build-${SEED_CACHE_VERSION}-`));
  let realSessions: ImagePool['realSessions'];
  try {
    // Codex runs mostly wait on I/O: record them while the PNGs render.
    const sample = await renderPoolImage(tmp, 0);
    let images: PooledImage[];
    [images, realSessions] = await Promise.all([
      renderPool(tmp, sample),
      ensureRealSessions(await fs.readFile(path.join(tmp, sample.file))),
    ]);
    await fs.writeFile(path.join(tmp, 'manifest.json'), JSON.stringify({ version: SEED_CACHE_VERSION, images }));
    // mkdtemp makes the directory private; pods (another uid) read through hard links only,
    // but people inspecting the cache should not need root.
    await fs.chmod(tmp, 0o755);
    const winner = await moveIntoPlace(tmp, dir);
    if (winner) {
      await fs.rm(tmp, { recursive: true, force: true });
      return { ...winner, realSessions };
    }
  } catch (err) {
    // Other render lanes may still be writing: a failed clean-up must not hide why the build failed.
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
  const built = await readManifest(dir);
  if (!built) throw new Error(`seed image pool missing after build: ${dir}`);
  await removeStalePools(path.basename(dir));
  return { ...built, realSessions };
}

/**
 * Each field version's real sessions, recorded by that version once (two versions at a time:
 * each runs four `codex exec` at once) and cached per version, so a new version records
 * only its own. OPENAB_SEED_REAL_SESSIONS=0 skips them (tests of the cache itself).
 */
async function ensureRealSessions(png: Buffer): Promise<ImagePool['realSessions']> {
  if (process.env.OPENAB_SEED_REAL_SESSIONS === '0') return {};
  const out: ImagePool['realSessions'] = {};
  const queue = [...FIELD_CODEX_VERSIONS];
  const lane = async () => {
    for (let v = queue.shift(); v; v = queue.shift()) out[v] = await realSessionsOf(v, png);
  };
  await Promise.all([lane(), lane()]);
  return out;
}

async function realSessionsOf(version: FieldCodexVersion, png: Buffer): Promise<RealSession[]> {
  const root = path.join(seedCacheRoot(), 'real-sessions', REAL_SESSIONS_CACHE_VERSION);
  const dir = path.join(root, version);
  const cached = await readRealSessions(dir);
  if (cached) return cached;
  await fs.mkdir(root, { recursive: true });
  const tmp = await fs.mkdtemp(path.join(root, `.build-${version}-`));
  try {
    // An agent that makes images has image_generation on: where a version ships it off
    // (0.121), the recording enables it, as that agent's operator did.
    const features: Record<string, boolean> = codexFieldFacts(version).imageGenerationDefault ? {} : { image_generation: true };
    const sessions = await recordRealSessions(tmp, png, codexLauncherFor(version), features);
    // A version that could not record here is tried again next time, not cached empty.
    if (sessions.length === 0) return [];
    await fs.writeFile(path.join(tmp, 'manifest.json'), JSON.stringify({ codexVersion: version, sessions }));
    await fs.chmod(tmp, 0o755);
    await fs.rename(tmp, dir).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
  const made = await readRealSessions(dir);
  if (!made) throw new Error(`real Codex ${version} sessions missing after recording: ${dir}`);
  return made;
}

async function readRealSessions(dir: string): Promise<RealSession[] | undefined> {
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(dir, 'manifest.json'), 'utf8')) as { sessions: RealSession[] };
    const sessions = manifest.sessions.map((r) => ({ ...r, file: path.join(dir, r.file), image: path.join(dir, r.image) }));
    return sessions.every((r) => existsSync(r.file) && existsSync(r.image)) ? sessions : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Renames the finished build into place. Returns the pool another process put there
 * first, if any; a stale or broken directory in the way is moved aside and removed.
 */
async function moveIntoPlace(built: string, dir: string): Promise<Omit<ImagePool, 'realSessions'> | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.rename(built, dir);
      return undefined;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      const winner = await readManifest(dir);
      if (winner) return winner;
      if (attempt >= 3) throw err;
      const trash = `${dir}.stale-${process.pid}-${attempt}`;
      await fs.rename(dir, trash).then(
        () => fs.rm(trash, { recursive: true, force: true }),
        () => undefined, // someone else moved it first
      );
    }
  }
}

/** Pools of older seed versions are hundreds of MB each: drop them once a new one exists. */
async function removeStalePools(current: string): Promise<void> {
  const root = seedCacheRoot();
  for (const entry of await fs.readdir(root)) {
    if (entry !== current && /^v\d+(-\d+)?$/.test(entry) && entry.split('-')[0] !== SEED_CACHE_VERSION) {
      await fs.rm(path.join(root, entry), { recursive: true, force: true });
    }
  }
}

async function readManifest(dir: string): Promise<Omit<ImagePool, 'realSessions'> | undefined> {
  const file = path.join(dir, 'manifest.json');
  if (!existsSync(file)) return undefined;
  try {
    const manifest = JSON.parse(await fs.readFile(file, 'utf8')) as { version: string; images: PooledImage[] };
    if (manifest.version !== SEED_CACHE_VERSION || manifest.images.length !== IMAGE_POOL_SIZE) return undefined;
    // Someone may have pruned files by hand; a pool with holes is rebuilt.
    const present = new Set(await fs.readdir(dir));
    if (!manifest.images.every((image) => present.has(image.file))) return undefined;
    return { dir, images: manifest.images };
  } catch {
    return undefined;
  }
}

/** The rest of the pool beside its first image, already rendered (files are read-only once written). */
async function renderPool(dir: string, first: PooledImage): Promise<PooledImage[]> {
  const images: PooledImage[] = new Array(IMAGE_POOL_SIZE);
  images[0] = first;
  let nextIndex = 1;
  const worker = async () => {
    while (nextIndex < IMAGE_POOL_SIZE) {
      const index = nextIndex++;
      images[index] = await renderPoolImage(dir, index);
    }
  };
  // libvips already uses threads per image; two images in flight keep both cores busy
  // while JavaScript fills the next noise band.
  const lanes = Math.max(2, Math.min(4, os.availableParallelism() * 2));
  await Promise.all(Array.from({ length: lanes }, worker));
  return images;
}

const SIZES: Array<[number, number]> = [
  [1024, 1024],
  [1024, 1024],
  [1536, 1024],
  [1024, 1536],
  [512, 512],
  [768, 768],
  [256, 256],
  [1536, 1536],
  [1280, 720],
  [640, 960],
];

const PALETTES = [
  ['#0f2027', '#2c5364', '#f7b733'],
  ['#ff512f', '#dd2476', '#ffffff'],
  ['#1d976c', '#93f9b9', '#14342b'],
  ['#4568dc', '#b06ab3', '#fdfc47'],
  ['#232526', '#414345', '#e94e77'],
  ['#f12711', '#f5af19', '#2b2d42'],
  ['#00b4db', '#0083b0', '#fff3b0'],
  ['#8e2de2', '#4a00e0', '#00f5d4'],
];

async function renderPoolImage(dir: string, index: number): Promise<PooledImage> {
  const rng = createRng(`pool-image-${index}`);
  const [width, height] = rng.pick(SIZES);
  const [from, to, accent] = rng.pick(PALETTES);
  const shapes: string[] = [];
  for (let s = rng.int(2, 7); s > 0; s--) {
    const cx = rng.int(0, width),
      cy = rng.int(0, height),
      r = rng.int(Math.round(width / 20), Math.round(width / 4));
    const opacity = (0.25 + rng.next() * 0.5).toFixed(2);
    shapes.push(
      rng.next() < 0.5
        ? `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${accent}" fill-opacity="${opacity}"/>`
        : `<rect x="${cx - r}" y="${cy - r / 2}" width="${r * 2}" height="${r}" rx="${r / 6}" fill="${rng.pick([from, to, accent])}" fill-opacity="${opacity}" transform="rotate(${rng.int(-40, 40)} ${cx} ${cy})"/>`,
    );
  }
  // The label says which pool image this is, so a thumbnail can be matched to its file by eye.
  const fontSize = Math.max(12, Math.round(Math.min(height / 12, width / 19)));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<defs><linearGradient id="g" x1="0" y1="0" x2="${rng.next().toFixed(2)}" y2="1">` +
    `<stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#g)"/>${shapes.join('')}` +
    `<text x="${Math.round(fontSize / 2)}" y="${height - Math.round(fontSize / 2)}" font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="${fontSize}" fill="#ffffff" stroke="#000000" stroke-width="${Math.max(1, fontSize / 24).toFixed(1)}">demo image ${index + 1} · ${width}×${height}</text>` +
    `</svg>`;
  const pixels = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
  addGrain(pixels, width, height, targetBytes(rng), rng.int(1, 3));
  const file = `${String(index).padStart(4, '0')}.png`;
  const png = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1, adaptiveFiltering: false })
    .toBuffer();
  await fs.writeFile(path.join(dir, file), png, { mode: 0o444 });
  return { file, width, height, bytes: png.length };
}

/** Mostly tens to hundreds of KB, one in eight between 1 and 3 MB, like real generations. */
function targetBytes(rng: ReturnType<typeof createRng>): number {
  if (rng.next() < 0.125) return rng.int(1_000_000, 3_000_000);
  return Math.round(20_000 * Math.pow(40, rng.next()));
}

/**
 * Film grain in a band of rows: a noisy pixel costs about 2.5 bytes of PNG, so the
 * band's height sets the file size while the picture stays recognisable.
 */
function addGrain(pixels: Buffer, width: number, height: number, bytes: number, amplitude: number): void {
  const rowBytes = width * 3;
  const rows = Math.min(height, Math.ceil(bytes / (width * 2.5)));
  const start = Math.floor((height - rows) / 2);
  const noise = randomBytes(rows * rowBytes);
  const span = amplitude * 2 + 1;
  const offset = start * rowBytes;
  for (let i = 0; i < noise.length; i++) {
    const v = pixels[offset + i] + (noise[i] % span) - amplitude;
    pixels[offset + i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}
