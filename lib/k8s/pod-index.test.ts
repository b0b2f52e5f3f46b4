import { describe, expect, it } from 'vitest';
import type * as k8s from '@kubernetes/client-node';
import { ownPods, PodIndex } from './agents';

const pod = (name: string, namespace: string, labels: Record<string, string>): k8s.V1Pod => ({
  metadata: { name, namespace, labels, creationTimestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, Number(name.replace(/\D/g, '')) || 0)) },
});
const deployment = (namespace: string, selector: k8s.V1LabelSelector): k8s.V1Deployment => ({
  metadata: { name: 'd', namespace },
  spec: { selector, template: {} },
});

describe("finding a Deployment's pods through the index", () => {
  const pods = [
    pod('p1', 'a', { app: 'openab', instance: 'one', component: 'codex' }),
    pod('p2', 'a', { app: 'openab', instance: 'one', component: 'codex' }),
    pod('p3', 'a', { app: 'openab', instance: 'two', component: 'codex' }),
    pod('p4', 'b', { app: 'openab', instance: 'one', component: 'codex' }),
    pod('p5', 'a', { app: 'openab', instance: 'one', component: 'kiro' }),
    pod('p6', 'a', {}),
  ];
  const selectors: Array<[string, k8s.V1Deployment]> = [
    ['matchLabels', deployment('a', { matchLabels: { app: 'openab', instance: 'one', component: 'codex' } })],
    ['another namespace', deployment('b', { matchLabels: { instance: 'one' } })],
    ['matchExpressions only', deployment('a', { matchExpressions: [{ key: 'component', operator: 'In', values: ['codex', 'kiro'] }] })],
    [
      'both',
      deployment('a', { matchLabels: { instance: 'one' }, matchExpressions: [{ key: 'component', operator: 'NotIn', values: ['kiro'] }] }),
    ],
    ['a label no pod has', deployment('a', { matchLabels: { instance: 'three' } })],
    ['an empty selector (selects nothing)', deployment('a', {})],
  ];

  it.each(selectors)('finds what a scan of every pod finds: %s', (_, d) => {
    expect(ownPods(d, new PodIndex(pods)).map((p) => p.metadata!.name)).toEqual(ownPods(d, pods).map((p) => p.metadata!.name));
  });

  it('finds the right pods, newest first', () => {
    expect(ownPods(selectors[0][1], new PodIndex(pods)).map((p) => p.metadata!.name)).toEqual(['p2', 'p1']);
    expect(ownPods(selectors[2][1], new PodIndex(pods)).map((p) => p.metadata!.name)).toEqual(['p5', 'p3', 'p2', 'p1']);
  });
});
