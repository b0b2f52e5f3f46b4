import pLimit from 'p-limit';
import { verifyNobody, type LocalUser } from './local-users';
import { SignInLockout } from './rate-limit';

export type SignInOutcome = { ok: true; user: LocalUser } | { ok: false; reason: 'wrong' | 'locked' | 'busy' };

export interface LocalSignInLimits {
  /** Failed attempts per user name (also made-up ones) within the window before a lock. */
  maxFailuresPerName: number;
  /** Failed attempts per client address within the window before a lock. */
  maxFailuresPerAddress: number;
  windowMs: number;
  /**
   * Password hashes computed at once. Each takes a core for tens of milliseconds on libuv's
   * pool (4 threads, where next-auth also derives its session key), so a flood of sign-ins must
   * leave cores and pool threads free for everyone else.
   */
  hashConcurrency: number;
  /** Attempts allowed to wait for a hash slot; more are turned away at once. */
  maxWaiting: number;
}

/**
 * Checks local sign-ins: refuses locked names and addresses before any hashing, hashes off the
 * event loop with bounded concurrency, hashes for unknown names too (same time as a real
 * check), and counts each failure against the name and the address.
 */
export class LocalSignIn {
  private readonly byName: SignInLockout;
  private readonly byAddress: SignInLockout;
  private readonly hashing: ReturnType<typeof pLimit>;

  constructor(
    private readonly users: () => LocalUser[],
    private readonly limits: LocalSignInLimits,
  ) {
    this.byName = new SignInLockout(limits.maxFailuresPerName, limits.windowMs);
    this.byAddress = new SignInLockout(limits.maxFailuresPerAddress, limits.windowMs);
    this.hashing = pLimit(limits.hashConcurrency);
  }

  /** Whether sign-ins from this address are refused now (checked before any other work). */
  addressLocked(address: string): boolean {
    return this.byAddress.lockedFor(`addr:${address}`) > 0;
  }

  async attempt(username: string, password: string, address: string): Promise<SignInOutcome> {
    const nameKey = username.toLowerCase();
    const addressKey = `addr:${address}`;
    if (!this.byAddress.begin(addressKey)) return { ok: false, reason: 'locked' };
    if (!this.byName.begin(nameKey)) {
      this.byAddress.end(addressKey);
      return { ok: false, reason: 'locked' };
    }
    try {
      if (this.hashing.pendingCount >= this.limits.maxWaiting) return { ok: false, reason: 'busy' };
      const user = this.users().find((u) => u.name === username);
      const ok = await this.hashing(() => (user ? user.verify(password) : verifyNobody(password)));
      if (ok && user) {
        this.byName.recordSuccess(nameKey);
        return { ok: true, user };
      }
      this.byName.recordFailure(nameKey);
      this.byAddress.recordFailure(addressKey);
      return { ok: false, reason: 'wrong' };
    } finally {
      this.byName.end(nameKey);
      this.byAddress.end(addressKey);
    }
  }
}
