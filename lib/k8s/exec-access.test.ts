import { afterEach, describe, expect, it } from 'vitest';
import { requireExecAccess, resetExecChecksForTests, runWithIdentity } from './impersonation';

const sam = { kind: 'user' as const, identity: { user: 'sam@example.com', groups: ['support'] } };

describe('the exec access check in impersonation mode', () => {
  afterEach(() => {
    delete process.env.IMPERSONATION;
    resetExecChecksForTests();
  });

  it('asks the cluster once for requests arriving together, and remembers a refusal', async () => {
    process.env.IMPERSONATION = 'true';
    let asked = 0;
    const check = async () => {
      asked++;
      await new Promise((r) => setTimeout(r, 20));
      return { allowed: false, reason: 'The cluster does not allow sam to create pods/exec in agents.' };
    };
    const both = runWithIdentity(sam, () =>
      Promise.allSettled([requireExecAccess(check, 'c', 'agents'), requireExecAccess(check, 'c', 'agents')]),
    );
    const results = await both;
    expect(asked).toBe(1);
    for (const r of results) expect(r.status === 'rejected' && (r.reason as Error).message).toMatch(/does not allow sam/);
    await expect(runWithIdentity(sam, () => requireExecAccess(check, 'c', 'agents'))).rejects.toThrow(/does not allow sam/);
    expect(asked).toBe(1);
  });

  it('asks again after a check that failed outright', async () => {
    process.env.IMPERSONATION = 'true';
    let asked = 0;
    const flaky = async () => {
      asked++;
      if (asked === 1) throw new Error('network');
      return { allowed: true };
    };
    await expect(runWithIdentity(sam, () => requireExecAccess(flaky, 'c', 'agents'))).rejects.toThrow('network');
    await runWithIdentity(sam, () => requireExecAccess(flaky, 'c', 'agents'));
    expect(asked).toBe(2);
  });
});
