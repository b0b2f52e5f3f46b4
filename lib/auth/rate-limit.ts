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
 * Lock-out against password guessing: after `maxFailures` failed sign-ins for one name within
 * the window, that name is locked for the window, whatever the password.
 */
export class SignInLockout {
  private readonly failures = new Map<string, { times: number[]; lockedUntil: number }>();

  constructor(
    private readonly maxFailures = 5,
    private readonly windowMs = 15 * 60_000,
  ) {}

  /** Milliseconds left on a lock, or 0. */
  lockedFor(name: string, now = Date.now()): number {
    const entry = this.failures.get(name.toLowerCase());
    return entry && entry.lockedUntil > now ? entry.lockedUntil - now : 0;
  }

  recordFailure(name: string, now = Date.now()): void {
    const key = name.toLowerCase();
    const entry = this.failures.get(key) ?? { times: [], lockedUntil: 0 };
    entry.times = [...entry.times.filter((t) => now - t < this.windowMs), now];
    if (entry.times.length >= this.maxFailures) entry.lockedUntil = now + this.windowMs;
    this.failures.set(key, entry);
  }

  recordSuccess(name: string): void {
    this.failures.delete(name.toLowerCase());
  }
}
