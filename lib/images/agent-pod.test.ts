import { describe, expect, it } from 'vitest';
import { matchesSelector } from './agent-pod';

describe('label selectors', () => {
  const codex2 = { 'app.kubernetes.io/name': 'openab', 'app.kubernetes.io/component': 'codex-2' };
  it('equality terms', () => {
    expect(matchesSelector('app.kubernetes.io/name=openab,app.kubernetes.io/component=codex', codex2)).toBe(false);
    expect(matchesSelector('app.kubernetes.io/name==openab', codex2)).toBe(true);
    expect(matchesSelector('app.kubernetes.io/component!=codex', codex2)).toBe(true);
  });
  it('set terms, as the seed uses for several agents per release', () => {
    expect(matchesSelector('app.kubernetes.io/name=openab,app.kubernetes.io/component in (codex,codex-2,codex-3)', codex2)).toBe(true);
    expect(matchesSelector('app.kubernetes.io/name=openab,app.kubernetes.io/component in (codex, codex-3)', codex2)).toBe(false);
    expect(matchesSelector('app.kubernetes.io/component notin (kiro)', codex2)).toBe(true);
  });
  it('existence terms', () => {
    expect(matchesSelector('app.kubernetes.io/name', codex2)).toBe(true);
    expect(matchesSelector('!app.kubernetes.io/name', codex2)).toBe(false);
  });
});
