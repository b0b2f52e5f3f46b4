import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMerge } from './patch';
import { parseLabelSelector } from './selectors';

describe('strategic merge', () => {
  const base = {
    spec: {
      containers: [
        {
          name: 'openab',
          image: 'a:1',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
        { name: 'side', image: 's:1' },
      ],
      tolerations: [{ key: 'x' }],
    },
  };

  it('merges lists by their merge key and replaces lists without one', () => {
    const out = strategicMerge(base, {
      spec: {
        containers: [
          {
            name: 'openab',
            env: [
              { name: 'B', value: '3' },
              { name: 'C', value: '4' },
            ],
          },
        ],
        tolerations: [{ key: 'y' }],
      },
    });
    expect(out.spec.containers[0].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: '3' },
      { name: 'C', value: '4' },
    ]);
    expect(out.spec.containers[0].image).toBe('a:1');
    expect(out.spec.containers[1]).toEqual({ name: 'side', image: 's:1' });
    expect(out.spec.tolerations).toEqual([{ key: 'y' }]);
  });

  it('honours $patch delete and replace, and null deletes a key', () => {
    const out = strategicMerge(base, {
      spec: {
        containers: [
          { name: 'side', $patch: 'delete' },
          { name: 'openab', image: null },
        ],
      },
    });
    expect(out.spec.containers).toEqual([{ name: 'openab', env: base.spec.containers[0].env }]);
    const replaced = strategicMerge(base, { spec: { $patch: 'replace', containers: [] } });
    expect(replaced.spec).toEqual({ containers: [] });
    expect(base.spec.containers).toHaveLength(2);
  });
});

describe('merge and JSON patch', () => {
  it('merge patch replaces lists and removes nulls', () => {
    expect(mergePatch({ a: { b: 1, c: [1, 2] } }, { a: { b: null, c: [3] } })).toEqual({ a: { c: [3] } });
  });

  it('JSON patch supports add/remove/replace/move/copy/test and rejects a failed test', () => {
    const doc = { a: [1, 2], b: { c: 1 } };
    const out = jsonPatch(doc, [
      { op: 'add', path: '/a/-', value: 3 },
      { op: 'replace', path: '/b/c', value: 2 },
      { op: 'copy', from: '/b/c', path: '/d' },
      { op: 'move', from: '/d', path: '/e' },
      { op: 'remove', path: '/a/0' },
      { op: 'test', path: '/e', value: 2 },
      { op: 'add', path: '/b/x~1y', value: true },
    ]);
    expect(out).toEqual({ a: [2, 3], b: { c: 2, 'x/y': true }, e: 2 });
    expect(doc).toEqual({ a: [1, 2], b: { c: 1 } });
    expect(() => jsonPatch(doc, [{ op: 'test', path: '/b/c', value: 5 }])).toThrow(/test failed/);
    expect(() => jsonPatch(doc, [{ op: 'remove', path: '/nope' }])).toThrow();
  });
});

describe('label selectors', () => {
  it('evaluates every operator', () => {
    const l = { app: 'openab', tier: 'gold' };
    const t = (s: string) => parseLabelSelector(s)(l);
    expect(t('app=openab,tier==gold')).toBe(true);
    expect(t('app!=openab')).toBe(false);
    expect(t('missing!=x')).toBe(true);
    expect(t('tier in (gold, silver)')).toBe(true);
    expect(t('tier notin (gold)')).toBe(false);
    expect(t('tier')).toBe(true);
    expect(t('!tier')).toBe(false);
    expect(t('!missing')).toBe(true);
    expect(() => parseLabelSelector('a in (b')).toThrow();
  });
});
