// Originals fetched for thumbnails are a few MB each and live only until sharp has read
// them. Allocating each one afresh makes V8 count ~2 MB of external memory per image, and
// that count (not the heap) is what sets off its full collections during a transfer: on a
// first gallery page that was a fifth of the dashboard's CPU. Reusing a few buffers keeps
// the count flat. Bounded: at most MAX_FREE_BYTES are kept, none larger than MAX_POOLED.
const STEP = 1024 * 1024;
const MAX_POOLED = 16 * STEP;
const MAX_FREE_BYTES = 48 * STEP;

export class BufferPool {
  private free: Buffer[] = [];
  private freeBytes = 0;
  /** Blocks handed out and not given back: only those may come back, and only once. */
  private out = new WeakSet<ArrayBufferLike>();

  /** A buffer of exactly `size` bytes (contents undefined), backed by a reused block when one fits. */
  take(size: number): Buffer {
    if (size <= MAX_POOLED) {
      const i = this.free.findIndex((b) => b.length >= size);
      if (i >= 0) {
        const [block] = this.free.splice(i, 1);
        this.freeBytes -= block.length;
        this.out.add(block.buffer);
        return block.subarray(0, size);
      }
      const block = Buffer.allocUnsafeSlow(Math.ceil(size / STEP) * STEP);
      this.out.add(block.buffer);
      return block.subarray(0, size);
    }
    return Buffer.allocUnsafeSlow(size);
  }

  /** Hands a buffer from take() back; the caller must not touch it afterwards. */
  give(buf: Buffer): void {
    if (!this.out.has(buf.buffer)) return;
    this.out.delete(buf.buffer);
    const block = Buffer.from(buf.buffer, 0, buf.buffer.byteLength);
    if (this.freeBytes + block.length > MAX_FREE_BYTES) return;
    this.free.push(block);
    this.freeBytes += block.length;
  }

  /** For tests and figures. */
  stats(): { buffers: number; bytes: number } {
    return { buffers: this.free.length, bytes: this.freeBytes };
  }
}
