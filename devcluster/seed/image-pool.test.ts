// The pool cache is shared by every run on a machine: concurrent first runs must end
// with one complete pool, and a stale or broken one must be rebuilt.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const TSX = path.resolve(__dirname, '../../node_modules/.bin/tsx');
const POOL_MODULE = path.resolve(__dirname, 'image-pool.ts');
let tmp: string;

function buildPoolInChild(cacheDir: string): Promise<{ code: number | null; out: string }> {
  const script = `import { ensureImagePool } from ${JSON.stringify(POOL_MODULE)};
ensureImagePool().then((p) => console.log(JSON.stringify({ dir: p.dir, n: p.images.length })));`;
  return new Promise((resolve) => {
    const child = spawn(TSX, ['--eval', script], {
      env: { ...process.env, OPENAB_SEED_CACHE_DIR: cacheDir, OPENAB_SEED_POOL_SIZE: '12', OPENAB_SEED_REAL_SESSIONS: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code, out }));
  });
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'seed-pool-'));
});
afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('image pool cache', () => {
  it('survives two first runs at once and leaves one complete pool', async () => {
    const cache = path.join(tmp, 'race');
    const [a, b] = await Promise.all([buildPoolInChild(cache), buildPoolInChild(cache)]);
    expect(a.code, a.out).toBe(0);
    expect(b.code, b.out).toBe(0);
    const pa = JSON.parse(a.out.trim().split('\n').pop()!);
    const pb = JSON.parse(b.out.trim().split('\n').pop()!);
    expect(pa).toEqual(pb);
    expect(pa.n).toBe(12);
    const entries = await fs.readdir(cache);
    expect(entries.filter((e) => e.startsWith('.build-'))).toEqual([]);
    const manifest = JSON.parse(await fs.readFile(path.join(pa.dir, 'manifest.json'), 'utf8'));
    for (const image of manifest.images) {
      const meta = await sharp(path.join(pa.dir, image.file)).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', image.width, image.height]);
      expect((await fs.stat(path.join(pa.dir, image.file))).size).toBe(image.bytes);
    }
  });

  it('rebuilds a pool whose manifest is from another version or broken', async () => {
    const cache = path.join(tmp, 'stale');
    const first = await buildPoolInChild(cache);
    const { dir } = JSON.parse(first.out.trim().split('\n').pop()!);
    const manifestPath = path.join(dir, 'manifest.json');
    const manifest = JSON.parse(await fs.readFile(manifestPath, 'utf8'));
    await fs.rm(dir, { recursive: true });
    await fs.mkdir(dir);
    await fs.writeFile(manifestPath, JSON.stringify({ ...manifest, version: 'v0' }));
    const again = await buildPoolInChild(cache);
    expect(again.code, again.out).toBe(0);
    expect(JSON.parse(await fs.readFile(manifestPath, 'utf8')).version).toBe(manifest.version);
    expect(existsSync(path.join(dir, manifest.images[0].file))).toBe(true);
  });
});
