import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheKey, DiskCache } from './disk-cache';

const dir = mkdtempSync(path.join(tmpdir(), 'disk-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the image cache on disk', () => {
  it('keys change with volume, path, size, modification time and inode', () => {
    const base = { volume: 'c/ns/a', name: 's/x.png', size: 10, mtimeMs: 1000, ino: 7, variant: 'thumb' };
    const key = cacheKey(base);
    expect(cacheKey({ ...base })).toBe(key);
    for (const change of [
      { volume: 'c/ns/b' },
      { name: 's/y.png' },
      { size: 11 },
      { mtimeMs: 2000 },
      { ino: 8 },
      { variant: 'original' },
    ]) {
      expect(cacheKey({ ...base, ...change })).not.toBe(key);
    }
  });

  it('stays within its budget, dropping the least recently used entries', async () => {
    const cache = new DiskCache(path.join(dir, 'lru'), 10_000);
    const keys = Array.from({ length: 8 }, (_, i) =>
      cacheKey({ volume: 'v', name: `s/${i}.png`, size: 1, mtimeMs: 1, ino: 1, variant: 't' }),
    );
    for (const [i, key] of keys.entries()) {
      await cache.put(key, Buffer.alloc(2_000, i));
      // The first entry is read after every write, so it stays the most recently used.
      if (i > 0) await new Promise((r) => setTimeout(r, 15));
      await cache.get(keys[0]);
    }
    expect(await cache.sizeOnDisk()).toBeLessThanOrEqual(10_000);
    expect(await cache.get(keys[0])).not.toBeNull();
    expect(await cache.get(keys[1])).toBeNull();
    expect(await cache.get(keys[7])).not.toBeNull();
  });

  it('keeps a streamed entry only when every byte arrived', async () => {
    const cache = new DiskCache(path.join(dir, 'stream'), 1_000_000);
    const good = cacheKey({ volume: 'v', name: 's/a.png', size: 3, mtimeMs: 1, ino: 1, variant: 'o' });
    const short = cacheKey({ volume: 'v', name: 's/b.png', size: 5, mtimeMs: 1, ino: 1, variant: 'o' });
    expect(await cache.putStream(good, Readable.from([Buffer.from('abc')]), (n) => n === 3)).toBe(true);
    expect(await cache.putStream(short, Readable.from([Buffer.from('abc')]), (n) => n === 5)).toBe(false);
    expect((await cache.get(good))?.size).toBe(3);
    expect(await cache.get(short)).toBeNull();
  });

  it('a cache directory removed from under it is made again', async () => {
    const cache = new DiskCache(path.join(dir, 'gone'), 1_000_000);
    const key = cacheKey({ volume: 'v', name: 's/a.png', size: 1, mtimeMs: 1, ino: 1, variant: 't' });
    await cache.put(key, Buffer.from('first'));
    rmSync(path.join(dir, 'gone'), { recursive: true, force: true });
    const file = await cache.put(key, Buffer.from('again'));
    expect((await cache.get(key))?.path).toBe(file);
  });
});
