import { describe, expect, it } from 'vitest';
import { ownedName } from './events';

describe('events belong to their own Deployment only', () => {
  it('matches the ReplicaSets and pods of the Deployment', () => {
    expect(ownedName('team-b-openab-codex', 'team-b-openab-codex-86685c9dcb')).toBe(true);
    expect(ownedName('team-b-openab-codex', 'team-b-openab-codex-86685c9dcb-8grsk')).toBe(true);
  });
  it('does not match a sibling Deployment whose name extends it', () => {
    expect(ownedName('team-b-openab-codex', 'team-b-openab-codex-2-58d8d5b489-q7p4k')).toBe(false);
    expect(ownedName('team-b-openab-codex', 'team-b-openab-codex-2')).toBe(false);
    expect(ownedName('openab-codex', 'openab-codex-staging')).toBe(false);
  });
});
