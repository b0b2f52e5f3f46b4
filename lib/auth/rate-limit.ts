/**
 * A sliding-window counter per key, in this process's memory. With several dashboard
 * replicas each one counts on its own: a limit of N per replica, which is what it is for
 * (slowing a runaway script or a password guesser), not an exact quota.
 */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records one hit; returns 0 when allowed, else the milliseconds until the next is. */
  take(key: string, now = Date.now()): number {
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return this.windowMs - (now - recent[0]);
    }
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.prune(now);
    return 0;
  }

  private prune(now: number) {
    for (const [key, times] of this.hits) if (times.every((t) => now - t >= this.windowMs)) this.hits.delete(key);
  }
}

/**
 * Lock-out against password guessing: after `maxFailures` failed sign-ins for one key (a user
 * name, or a client address) within the window, that key is locked for the window, whatever the
 * password. Attempts still being checked count as failures until they end, so a burst of
 * concurrent attempts cannot all start before the first failure is counted.
 */
export class SignInLockout {
  private readonly failures = new Map<string, { times: number[]; lockedUntil: number }>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
  ) {}

  /** Milliseconds left on a lock, or 0. */
  lockedFor(key: string, now = Date.now()): number {
    const entry = this.failures.get(key.toLowerCase());
    return entry && entry.lockedUntil > now ? entry.lockedUntil - now : 0;
  }

  /** Starts an attempt for `key`; false (nothing started) when it is locked or its budget is taken. */
  begin(key: string, now = Date.now()): boolean {
    const k = key.toLowerCase();
    if (this.lockedFor(k, now) > 0) return false;
    const recent = (this.failures.get(k)?.times ?? []).filter((t) => now - t < this.windowMs).length;
    const running = this.inFlight.get(k) ?? 0;
    if (recent + running >= this.maxFailures) return false;
    this.inFlight.set(k, running + 1);
    return true;
  }

  /** Ends an attempt begun with begin(). */
  end(key: string): void {
    const k = key.toLowerCase();
    const running = (this.inFlight.get(k) ?? 1) - 1;
    if (running > 0) this.inFlight.set(k, running);
    else this.inFlight.delete(k);
  }

  recordFailure(key: string, now = Date.now()): void {
    const k = key.toLowerCase();
    const entry = this.failures.get(k) ?? { times: [], lockedUntil: 0 };
    entry.times = [...entry.times.filter((t) => now - t < this.windowMs), now];
    if (entry.times.length >= this.maxFailures) entry.lockedUntil = now + this.windowMs;
    this.failures.set(k, entry);
    if (this.failures.size > 10_000) this.prune(now);
  }

  recordSuccess(key: string): void {
    this.failures.delete(key.toLowerCase());
  }

  private prune(now: number) {
    for (const [key, entry] of this.failures)
      if (entry.lockedUntil <= now && entry.times.every((t) => now - t >= this.windowMs)) this.failures.delete(key);
  }
}
