import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../errors';
import { forEachAgent, MAX_BULK_AGENTS } from './each-agent';

const ref = (name: string) => ({ clusterId: 'c', namespace: 'ns', name });

describe('forEachAgent', () => {
  it('gives each agent its own result, a few at a time, each agent once', async () => {
    let running = 0;
    let most = 0;
    const refs = Array.from({ length: 12 }, (_, i) => ref(`a${i % 10}`));
    const items = await forEachAgent(
      refs,
      async (r) => {
        running++;
        most = Math.max(most, running);
        await new Promise((done) => setImmediate(done));
        running--;
        if (r.name === 'a3') throw new UserFacingError('a3 may not be changed.');
        if (r.name === 'a4') throw new Error('socket hang up at 10.0.0.7');
        return r.name.toUpperCase();
      },
      (r) => `${r.name} could not be changed.`,
    );
    expect(items).toHaveLength(10);
    expect(most).toBeLessThanOrEqual(4);
    expect(items.find((i) => i.ref.name === 'a1')).toEqual({ ref: ref('a1'), ok: true, result: 'A1' });
    expect(items.find((i) => i.ref.name === 'a3')).toEqual({ ref: ref('a3'), ok: false, error: 'a3 may not be changed.' });
    // Anything but a user-facing error is summarised, never passed on.
    expect(items.find((i) => i.ref.name === 'a4')).toEqual({ ref: ref('a4'), ok: false, error: 'a4 could not be changed.' });
  });

  it('refuses more agents than one bulk action may name', async () => {
    const refs = Array.from({ length: MAX_BULK_AGENTS + 1 }, (_, i) => ref(`a${i}`));
    await expect(
      forEachAgent(
        refs,
        async () => 1,
        () => 'x',
      ),
    ).rejects.toThrow(`at most ${MAX_BULK_AGENTS}`);
  });
});
