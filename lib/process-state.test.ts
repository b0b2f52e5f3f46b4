import { describe, expect, it, vi } from 'vitest';

// Next.js loads a server module once per bundle layer; vi.resetModules gives the same effect here:
// a second, independent copy of each module.
async function secondCopy<T>(load: () => Promise<T>): Promise<T> {
  vi.resetModules();
  return load();
}

describe('one state per process across module copies', () => {
  it('hands every copy of a module the same state, made once', async () => {
    const a = await import('./process-state');
    const b = await secondCopy(() => import('./process-state'));
    expect(a).not.toBe(b);
    let made = 0;
    const init = () => ({ n: ++made });
    const first = a.processState('test.shared', init);
    const second = b.processState('test.shared', init);
    expect(second).toBe(first);
    expect(made).toBe(1);
    expect(b.processState('test.other', init)).not.toBe(first);
  });

  it('keeps instanceof true for an error made by another copy, and false for other classes', async () => {
    const a = await import('./k8s/errors');
    const aBase = await import('./errors');
    const b = await secondCopy(() => import('./k8s/errors'));
    const bBase = await import('./errors');
    expect(b.ClusterError).not.toBe(a.ClusterError);

    const err = new a.ClusterError('The cluster did not answer.', 'timeout');
    expect(err instanceof b.ClusterError).toBe(true);
    expect(err instanceof bBase.UserFacingError).toBe(true);
    expect(bBase.handleServerError(err)).toEqual({ code: 'unavailable', message: 'The cluster did not answer.' });

    const plain = new aBase.UserFacingError('Refused.', 'forbidden');
    expect(plain instanceof b.ClusterError).toBe(false);
    expect(new Error('x') instanceof bBase.UserFacingError).toBe(false);
    expect({ message: 'looks like one' } instanceof bBase.UserFacingError).toBe(false);
  });

  it('a subclass that names no brand of its own falls back to the prototype check', async () => {
    const { UserFacingError } = await import('./errors');
    class Unbranded extends UserFacingError {}
    expect(new UserFacingError('x') instanceof Unbranded).toBe(false);
    expect(new Unbranded('x') instanceof Unbranded).toBe(true);
    expect(new Unbranded('x') instanceof UserFacingError).toBe(true);
  });
});
