import { describe, expect, it } from 'vitest';
import type * as k8s from '@kubernetes/client-node';
import { rolloutStatusOf } from '../k8s/rollout';
import { rolloutUnderWay } from './restart';

const NOW = Date.parse('2026-05-01T12:00:00Z');
const pod = (over: Partial<{ status: string; ready: boolean; terminating: boolean }> = {}) => ({
  name: 'a-5f7c9d-x1y2z',
  status: 'Running',
  ready: true,
  restarts: 0,
  terminating: false,
  reason: null,
  ...over,
});

function deployment(
  over: { generation?: number; observed?: number; updated?: number; ready?: number; restartedAt?: string; deadline?: number } = {},
): k8s.V1Deployment {
  return {
    metadata: { generation: over.generation ?? 2 },
    spec: {
      replicas: 1,
      progressDeadlineSeconds: over.deadline,
      selector: {},
      template: { metadata: { annotations: over.restartedAt ? { 'kubectl.kubernetes.io/restartedAt': over.restartedAt } : {} } },
    },
    status: {
      observedGeneration: over.observed ?? 2,
      updatedReplicas: over.updated ?? 1,
      readyReplicas: over.ready ?? 1,
      availableReplicas: over.ready ?? 1,
      replicas: 1,
    },
  };
}

function underWay(d: k8s.V1Deployment, pods = [pod()]) {
  return rolloutUnderWay(d, rolloutStatusOf(d, pods), NOW);
}

describe('rolloutUnderWay', () => {
  it('is false for a finished rollout', () => {
    expect(underWay(deployment())).toBe(false);
  });

  it('is true while the controller has not caught up, or an old pod is going', () => {
    expect(underWay(deployment({ observed: 1 }))).toBe(true);
    expect(underWay(deployment({ ready: 0 }), [pod({ terminating: true, status: 'Terminating' })])).toBe(true);
    expect(underWay(deployment({ updated: 0, ready: 0 }), [pod({ status: 'Pending', ready: false })])).toBe(true);
  });

  it('is true for a restart started within the progress deadline that is not ready yet', () => {
    expect(underWay(deployment({ ready: 0, restartedAt: '2026-05-01T11:59:30Z' }), [pod({ ready: false })])).toBe(true);
  });

  it('lets an agent that stays unready long after its last restart be restarted', () => {
    expect(underWay(deployment({ ready: 0, restartedAt: '2026-05-01T10:00:00Z' }), [pod({ ready: false })])).toBe(false);
    expect(underWay(deployment({ ready: 0 }), [pod({ ready: false, status: 'Error' })])).toBe(false);
    // A crash loop is a failed rollout: done, so a restart is allowed.
    expect(
      underWay(deployment({ ready: 0, restartedAt: '2026-05-01T11:59:30Z' }), [pod({ ready: false, status: 'CrashLoopBackOff' })]),
    ).toBe(false);
  });
});
