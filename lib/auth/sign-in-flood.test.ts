// A flood of bad local sign-ins must neither stall the server for everyone (hashing off the
// event loop) nor go on for ever from one address with made-up names (per-address bound).
import { beforeAll, describe, expect, it } from 'vitest';

type Authorize = (credentials: Record<string, string>, req: { headers: Record<string, string> }) => Promise<unknown>;
let authorize: Authorize;

beforeAll(async () => {
  process.env.DEMO_PASSWORD = 'flood-test-password';
  process.env.SIGNIN_MAX_FAILURES_PER_ADDRESS = '10';
  const { authOptions } = await import('./options');
  const provider = authOptions.providers.find(
    (p) => (p as unknown as { options?: { id?: string } }).options?.id === 'local',
  ) as unknown as { options: { authorize: Authorize } };
  authorize = provider.options.authorize;
});

const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
/** The outcome in words: the user's name, null for a refusal, or the error's message. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    (u) => (u ? (u as { name: string }).name : null),
    (e: Error) => e.message,
  );

describe('local sign-in under a flood', () => {
  it('40 concurrent bad sign-ins leave the event loop free', async () => {
    let last = performance.now();
    let worstGap = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 5);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => outcome(authorize({ username: `nobody-${i}`, password: 'x' }, from(`10.9.0.${i + 1}`)))),
    );
    clearInterval(timer);
    worstGap = Math.max(worstGap, performance.now() - last);
    expect(results.every((r) => r === null)).toBe(true);
    // Hashing on the event loop took 1-3 s here (40 scrypts in a row); off it, timers keep running.
    expect(worstGap).toBeLessThan(250);
  });

  it('made-up names from one address are locked after the per-address budget; other addresses are not', async () => {
    for (let i = 0; i < 10; i++) expect(await outcome(authorize({ username: `made-up-${i}`, password: 'x' }, from('10.1.2.3')))).toBeNull();
    expect(await outcome(authorize({ username: 'made-up-new', password: 'x' }, from('10.1.2.3')))).toBe('LockedOut');
    // Even the right password: the address is locked, not the account.
    expect(await outcome(authorize({ username: 'viewer', password: 'flood-test-password' }, from('10.1.2.3')))).toBe('LockedOut');
    expect(await outcome(authorize({ username: 'viewer', password: 'flood-test-password' }, from('10.1.2.4')))).toBe('viewer');
  });

  it('a burst from one address cannot start more attempts than its budget', async () => {
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => outcome(authorize({ username: `burst-${i}`, password: 'x' }, from('10.7.7.7')))),
    );
    expect(results.filter((r) => r === null).length).toBe(10);
    expect(results.filter((r) => r === 'LockedOut').length).toBe(20);
  });
});
