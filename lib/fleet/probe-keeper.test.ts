// The keeper's order when the exec budget does not reach every agent: the agents on someone's
// screen go first, then the watched and listed ones by how overdue they are; listed agents are
// due ten times less often.
import { describe, expect, it } from 'vitest';
import { dueForRefresh, type DueCandidate } from './probe';

const REFRESH_MS = 15_000;
const NOW = 10_000_000;
const agent = (key: string, how: 'shown' | 'watched' | 'listed', triedSecondsAgo: number): DueCandidate => ({
  key,
  kept: { lastShownAt: how === 'shown' ? NOW - 1_000 : 0, lastWatchedAt: how === 'watched' ? NOW - 1_000 : 0 },
  lastTriedAt: NOW - triedSecondsAgo * 1_000,
});

describe('the probe keeper’s order', () => {
  it('refreshes the agents on screen before watched agents that are more overdue', () => {
    const due = dueForRefresh(
      [
        agent('watched-long-ago', 'watched', 120),
        agent('shown', 'shown', 16),
        agent('watched', 'watched', 40),
        agent('shown-2', 'shown', 30),
      ],
      NOW,
      REFRESH_MS,
    );
    expect(due).toEqual(['shown-2', 'shown', 'watched-long-ago', 'watched']);
  });

  it('keeps agents only listed ten times slower, and none before its interval', () => {
    const due = dueForRefresh(
      [
        agent('listed-fresh', 'listed', 100),
        agent('listed-due', 'listed', 151),
        agent('shown-fresh', 'shown', 14),
        agent('watched-due', 'watched', 15),
      ],
      NOW,
      REFRESH_MS,
    );
    expect(due).toEqual(['listed-due', 'watched-due']);
  });

  it('stops counting an agent as shown or watched two minutes after the last read that said so', () => {
    const stale: DueCandidate = { key: 'was-shown', kept: { lastShownAt: NOW - 121_000, lastWatchedAt: 0 }, lastTriedAt: NOW - 60_000 };
    expect(dueForRefresh([stale], NOW, REFRESH_MS)).toEqual([]);
    expect(dueForRefresh([{ ...stale, lastTriedAt: NOW - 151_000 }], NOW, REFRESH_MS)).toEqual(['was-shown']);
  });
});
