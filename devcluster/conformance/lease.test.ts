// Leases (coordination.k8s.io/v1) through the unmodified client, as leader election uses them:
// create, read, replace with the resourceVersion read; a stale resourceVersion is a 409 Conflict,
// a second create is a 409 AlreadyExists; the dashboard's service account may use only its own.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../cluster';
import { kubeConfig } from './helpers';

let cluster: DevCluster;
let leases: k8s.CoordinationV1Api;
const NS = 'openab-dashboard';
const code = (err: unknown) => (err as { code?: number }).code;

beforeAll(async () => {
  cluster = await startDevCluster({ seed: 'empty', quiet: true });
  leases = kubeConfig(cluster, 'dashboard').makeApiClient(k8s.CoordinationV1Api);
});

afterAll(async () => {
  await cluster?.stop();
});

describe('Leases', () => {
  it('are created once, renewed with the resourceVersion read, and refuse a stale one with 409', async () => {
    const now = new Date();
    const body: k8s.V1Lease = {
      metadata: { name: 'openab-dashboard-notifier' },
      spec: { holderIdentity: 'a', leaseDurationSeconds: 5, renewTime: now, acquireTime: now, leaseTransitions: 0 },
    };
    const created = await leases.createNamespacedLease({ namespace: NS, body });
    expect(created.spec?.holderIdentity).toBe('a');
    expect(created.apiVersion).toBe('coordination.k8s.io/v1');
    expect(await leases.createNamespacedLease({ namespace: NS, body }).catch(code)).toBe(409);

    const read = await leases.readNamespacedLease({ namespace: NS, name: 'openab-dashboard-notifier' });
    const renewed = await leases.replaceNamespacedLease({
      namespace: NS,
      name: 'openab-dashboard-notifier',
      body: { ...read, spec: { ...read.spec, holderIdentity: 'b', leaseTransitions: 1 } },
    });
    expect(renewed.spec?.holderIdentity).toBe('b');
    expect(renewed.metadata?.resourceVersion).not.toBe(read.metadata?.resourceVersion);
    // A replica that read before the other one wrote loses the race.
    const stale = await leases
      .replaceNamespacedLease({
        namespace: NS,
        name: 'openab-dashboard-notifier',
        body: { ...read, spec: { ...read.spec, holderIdentity: 'c' } },
      })
      .catch(code);
    expect(stale).toBe(409);
    expect((await leases.readNamespacedLease({ namespace: NS, name: 'openab-dashboard-notifier' })).spec?.holderIdentity).toBe('b');
  });

  it("are the dashboard's only by name: another Lease or another namespace is forbidden", async () => {
    expect(await leases.readNamespacedLease({ namespace: NS, name: 'someone-else' }).catch(code)).toBe(403);
    expect(await leases.listNamespacedLease({ namespace: 'default' }).catch(code)).toBe(403);
  });
});
