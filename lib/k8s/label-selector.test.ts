import { describe, expect, it } from 'vitest';
import { formatLabelSelector, fromSelectorObject, LabelSelectorError, labelsMatch, parseLabelSelector } from './label-selector';

const matches = (selector: string, labels: Record<string, string>) => labelsMatch(parseLabelSelector(selector), labels);

describe('label selectors, evaluated as the API server evaluates them', () => {
  const codex2 = { 'app.kubernetes.io/name': 'openab', 'app.kubernetes.io/component': 'codex-2', tier: 'a' };
  const kiro = { 'app.kubernetes.io/name': 'openab', 'app.kubernetes.io/component': 'kiro' };
  const demo = 'app.kubernetes.io/name=openab,app.kubernetes.io/component in (codex,codex-2,codex-3)';

  it.each([
    ['app.kubernetes.io/name=openab,app.kubernetes.io/component=codex', false],
    ['app.kubernetes.io/name==openab', true],
    ['app.kubernetes.io/component!=codex', true],
    ['missing!=x', true],
    ['tier=', false],
    [demo, true],
    ['app.kubernetes.io/name=openab,app.kubernetes.io/component in (codex, codex-3)', false],
    ['app.kubernetes.io/component notin (kiro)', true],
    ['missing notin (kiro)', true],
    ['missing in (kiro)', false],
    ['tier in (a, b),app.kubernetes.io/name', true],
    ['tier notin (a)', false],
    ['app.kubernetes.io/name', true],
    ['!app.kubernetes.io/name', false],
    ['!missing', true],
    ['missing', false],
    ['  tier  ==  a  ,  !  missing ', true],
    ['tier in (a,)', true],
    ['in in (x),tier=a', false],
    ['', true],
  ])('%s', (selector, expected) => {
    expect(matches(selector, codex2)).toBe(expected);
  });

  it('does not take a non-Codex Deployment for an agent with the demo set-based selector', () => {
    // The hand-written matchers split inside the parentheses and took unparsed terms as matching.
    expect(matches(demo, kiro)).toBe(false);
    expect(matches('app.kubernetes.io/component in (codex,codex-2)', kiro)).toBe(false);
    expect(matches('app.kubernetes.io/component in (codex,codex-2)', { 'app.kubernetes.io/component': 'codex-2' })).toBe(true);
  });

  it('treats an empty value set member as the API server does', () => {
    expect(matches('tier in (,a)', { tier: '' })).toBe(true);
    expect(matches('tier in ()', { tier: '' })).toBe(true);
    expect(matches('tier in ()', { tier: 'a' })).toBe(false);
  });

  it('compares gt and lt as integers', () => {
    expect(matches('n>5', { n: '10' })).toBe(true);
    expect(matches('n<5', { n: '10' })).toBe(false);
    expect(matches('n>5', { n: 'ten' })).toBe(false);
    expect(matches('n>5', {})).toBe(false);
  });

  it.each([
    ['tier in (a', /expected: ',' or '\)'/],
    ['tier in a', /expected: '\('/],
    ['tier in (a b)', /expected: ',' or '\)'/],
    ['tier notin', /expected: '\('/],
    ['a,,b', /identifier after ','/],
    ['a=b,', /identifier after ','/],
    [',a', /expected: !, identifier/],
    ['a b', /expected: in, notin/],
    ['a=b=c', /expected: ',' or 'end of string'/],
    ['!a=b', /expected: ',' or 'end of string'/],
    ['a=(b)', /expected: identifier/],
    ['(a)', /expected: !, identifier/],
    ['a in (b))', /expected: ',' or 'end of string'/],
    ['-a=b', /invalid label key/],
    ['a/b/c=d', /invalid label key/],
    ['Example.com/a=b', /invalid label key/],
    ['/a=b', /invalid label key/],
    [`${'k'.repeat(64)}=v`, /invalid label key/],
    ['a=-b', /invalid label value/],
    [`a=${'v'.repeat(64)}`, /invalid label value/],
    ['a in (b,c d)', /expected: ',' or '\)'/],
    ['a>b', /integer/],
    ['a>99999999999999999999', /integer/],
    ['a = b c', /expected: ',' or 'end of string'/],
  ])('refuses %j', (selector, reason) => {
    expect(() => parseLabelSelector(selector)).toThrow(LabelSelectorError);
    expect(() => parseLabelSelector(selector)).toThrow(reason);
  });

  it('reads back what it writes', () => {
    for (const text of [demo, 'a!=b,!c,d', 'a notin (x,y),b>3,c<4', 'in in (in,notin)']) {
      const parsed = parseLabelSelector(text);
      expect(parseLabelSelector(formatLabelSelector(parsed))).toEqual(parsed);
    }
  });
});

describe("a Deployment's spec.selector", () => {
  const pod = { app: 'openab', 'pod-template-hash': 'abc', tier: 'a' };

  it('turns matchLabels and matchExpressions into one query and one matcher', () => {
    const sel = fromSelectorObject({
      matchLabels: { app: 'openab' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'track', operator: 'NotIn', values: ['canary'] },
        { key: 'pod-template-hash', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
    expect(formatLabelSelector(sel)).toBe('app=openab,!legacy,pod-template-hash,tier in (a,b),track notin (canary)');
    expect(labelsMatch(sel, pod)).toBe(true);
    expect(labelsMatch(sel, { ...pod, legacy: 'x' })).toBe(false);
    expect(labelsMatch(sel, { ...pod, tier: 'c' })).toBe(false);
    expect(labelsMatch(sel, { ...pod, track: 'canary' })).toBe(false);
    expect(labelsMatch(parseLabelSelector(formatLabelSelector(sel)), pod)).toBe(true);
  });

  it('selects nothing when empty, and refuses what the API server would refuse', () => {
    expect(labelsMatch(fromSelectorObject({}), pod)).toBe(false);
    expect(labelsMatch(fromSelectorObject(undefined), pod)).toBe(false);
    expect(() => fromSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] })).toThrow(LabelSelectorError);
    expect(() => fromSelectorObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toThrow(/can't be empty/);
    expect(() => fromSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] })).toThrow(/must be empty/);
    expect(() => fromSelectorObject({ matchLabels: { 'a b': 'c' } })).toThrow(/invalid label key/);
  });
});
