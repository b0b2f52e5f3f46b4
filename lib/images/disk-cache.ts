// A bounded disk cache for thumbnails and fetched images. Keys name the volume, the path and
// the file's identity as the pod's listing showed it (inode, size, modification time), so a
// changed or replaced file is a new key. Callers look entries up only with an entry of the
// current listing: a file the listing no longer has, or has as another file, is not served. Entries are written to a temp file and renamed, so
// a reader never sees half a file; the oldest entries go when the cache is over its budget.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface CacheKeyParts {
  volume: string;
  name: string;
  size: number;
  mtimeMs: number;
  ino: number;
  variant: string;
}

export function cacheKey(parts: CacheKeyParts): string {
  return createHash('sha256')
    .update(JSON.stringify([parts.volume, parts.name, parts.ino, parts.size, Math.round(parts.mtimeMs), parts.variant]))
    .digest('hex');
}

export class DiskCache {
  private total: number | null = null;
  private scanning: Promise<void> | null = null;
  private evicting = false;
  /** Subdirectories known to exist (at most 256): a put needs no mkdir after the first. */
  private made = new Set<string>();

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
  ) {}

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), key);
  }

  /** The cached file's path and size, or null. A hit refreshes its age (LRU). */
  async get(key: string): Promise<{ path: string; size: number } | null> {
    const file = this.file(key);
    try {
      const st = await fs.stat(file);
      const now = new Date();
      fs.utimes(file, now, now).catch(() => undefined);
      return { path: file, size: st.size };
    } catch {
      return null;
    }
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.made.has(dir)) return;
    await fs.mkdir(dir, { recursive: true });
    this.made.add(dir);
  }

  async put(key: string, data: Buffer): Promise<string> {
    const file = this.file(key);
    await this.ensureDir(path.dirname(file));
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, data).catch(async (err: NodeJS.ErrnoException) => {
      // The directory went away under us (a tmp cleaner): make it again, once.
      if (err.code !== 'ENOENT') throw err;
      this.made.delete(path.dirname(file));
      await this.ensureDir(path.dirname(file));
      await fs.writeFile(tmp, data);
    });
    await fs.rename(tmp, file);
    await this.added(data.length);
    return file;
  }

  /**
   * Writes a stream to the cache while the caller reads it elsewhere; kept only when
   * `accept()` says the bytes were complete once the stream has ended.
   */
  async putStream(key: string, data: Readable, accept: (written: number) => boolean): Promise<boolean> {
    const file = this.file(key);
    await this.ensureDir(path.dirname(file));
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    let written = 0;
    data.on('data', (c: Buffer) => (written += c.length));
    try {
      await pipeline(data, createWriteStream(tmp));
      if (!accept(written)) throw new Error('incomplete');
      await fs.rename(tmp, file);
      await this.added(written);
      return true;
    } catch {
      await fs.rm(tmp, { force: true });
      return false;
    }
  }

  read(filePath: string): Readable {
    return createReadStream(filePath);
  }

  private async scan(): Promise<void> {
    let total = 0;
    for (const sub of await fs.readdir(this.dir).catch(() => [] as string[])) {
      for (const name of await fs.readdir(path.join(this.dir, sub)).catch(() => [] as string[])) {
        const st = await fs.stat(path.join(this.dir, sub, name)).catch(() => null);
        if (st?.isFile()) total += st.size;
      }
    }
    this.total = total;
  }

  private async added(bytes: number): Promise<void> {
    if (this.total === null) {
      this.scanning ??= this.scan();
      await this.scanning;
    } else this.total += bytes;
    if (this.total! > this.maxBytes && !this.evicting) await this.evict();
  }

  /** Drops the least recently used entries until the cache is at 80% of its budget. */
  private async evict(): Promise<void> {
    this.evicting = true;
    try {
      const entries: Array<{ file: string; size: number; at: number }> = [];
      for (const sub of await fs.readdir(this.dir).catch(() => [] as string[])) {
        for (const name of await fs.readdir(path.join(this.dir, sub)).catch(() => [] as string[])) {
          const file = path.join(this.dir, sub, name);
          const st = await fs.stat(file).catch(() => null);
          if (st?.isFile()) entries.push({ file, size: st.size, at: st.mtimeMs });
        }
      }
      let total = entries.reduce((n, e) => n + e.size, 0);
      entries.sort((a, b) => a.at - b.at);
      for (const e of entries) {
        if (total <= this.maxBytes * 0.8) break;
        await fs.rm(e.file, { force: true });
        total -= e.size;
      }
      this.total = total;
    } finally {
      this.evicting = false;
    }
  }

  async sizeOnDisk(): Promise<number> {
    await this.scan();
    return this.total ?? 0;
  }
}
