import { describe, expect, it } from 'vitest';
import { BufferPool } from './buffer-pool';

describe('the buffer pool for originals', () => {
  it('hands out exact sizes and reuses a block given back', () => {
    const pool = new BufferPool();
    const a = pool.take(2_000_000);
    expect(a.length).toBe(2_000_000);
    a.fill(7);
    pool.give(a);
    expect(pool.stats().buffers).toBe(1);
    const b = pool.take(1_500_000);
    expect(b.length).toBe(1_500_000);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.stats().buffers).toBe(0);
  });

  it('takes a block back only once, and never one it did not hand out', () => {
    const pool = new BufferPool();
    const a = pool.take(1000);
    pool.give(a);
    pool.give(a);
    pool.give(Buffer.alloc(1000));
    pool.give(Buffer.allocUnsafe(100));
    expect(pool.stats().buffers).toBe(1);
    // Two takers never share a block.
    const x = pool.take(1000);
    const y = pool.take(1000);
    expect(x.buffer).not.toBe(y.buffer);
  });

  it('keeps bounded memory: large buffers are not pooled, and the free list has a ceiling', () => {
    const pool = new BufferPool();
    pool.give(pool.take(40 * 1024 * 1024));
    expect(pool.stats().buffers).toBe(0);
    const taken = Array.from({ length: 10 }, () => pool.take(15 * 1024 * 1024));
    for (const t of taken) pool.give(t);
    expect(pool.stats().bytes).toBeLessThanOrEqual(48 * 1024 * 1024);
    expect(pool.stats().buffers).toBe(3);
  });
});
