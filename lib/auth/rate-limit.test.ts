import { describe, expect, it } from 'vitest';
import { SignInLockout, SlidingWindowLimiter } from './rate-limit';

describe('per-user action rate limit', () => {
  it('allows the limit within the window, then says how long to wait', () => {
    const limiter = new SlidingWindowLimiter(3, 60_000);
    expect([0, 1, 2].map((i) => limiter.take('ada', 1000 + i))).toEqual([0, 0, 0]);
    expect(limiter.take('ada', 1003)).toBe(60_000 - 3);
    expect(limiter.take('bob', 1003)).toBe(0);
    expect(limiter.take('ada', 61_001)).toBe(0);
  });
});

describe('sign-in lock-out', () => {
  it('locks a name after five failures, for every password, until the window passes', () => {
    const lockout = new SignInLockout(5, 900_000);
    for (let i = 0; i < 4; i++) lockout.recordFailure('Admin', i);
    expect(lockout.lockedFor('admin', 10)).toBe(0);
    lockout.recordFailure('admin', 10);
    expect(lockout.lockedFor('ADMIN', 11)).toBeGreaterThan(0);
    expect(lockout.lockedFor('admin', 900_011)).toBe(0);
  });

  it('forgets failures after a success', () => {
    const lockout = new SignInLockout(2, 1000);
    lockout.recordFailure('ada', 0);
    lockout.recordSuccess('ada');
    lockout.recordFailure('ada', 1);
    expect(lockout.lockedFor('ada', 2)).toBe(0);
  });
});

describe('sign-in attempts in flight', () => {
  it('count against the budget until they end, so a burst cannot all start', () => {
    const lockout = new SignInLockout(3, 1000);
    expect([lockout.begin('a', 0), lockout.begin('a', 0), lockout.begin('a', 0), lockout.begin('a', 0)]).toEqual([true, true, true, false]);
    lockout.end('a');
    expect(lockout.begin('a', 0)).toBe(true);
    for (let i = 0; i < 3; i++) {
      lockout.end('a');
      lockout.recordFailure('a', 1);
    }
    expect(lockout.lockedFor('a', 2)).toBeGreaterThan(0);
    expect(lockout.begin('a', 2)).toBe(false);
  });
});
