// rbac: the dashboard's own namespace (charts/openab-dashboard/tests/code-permissions.ts reads this marker)
import 'server-only';
import * as k8s from '@kubernetes/client-node';
import { withDeadline } from '../k8s/clusters';
import { toClusterError } from '../k8s/errors';
import { asDashboard } from '../k8s/impersonation';

export interface LeaseOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseSeconds: number;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
 * the holder renews renewTime; every write carries the resourceVersion read, so of two replicas
 * racing only one wins (the other gets 409); a replica takes over only once it has seen the
 * Lease unchanged for leaseDurationSeconds by its own clock (no trust in other clocks).
 */
export class LeaseElector {
  private readonly api: k8s.CoordinationV1Api;
  /** The Lease as last seen held by someone else, and when (local time) it was first seen so. */
  private observed: { resourceVersion: string; at: number } | null = null;
  /** Local time at which our last successful acquire or renew was sent; 0 = not leader. */
  private renewedAt = 0;

  constructor(
    kc: k8s.KubeConfig,
    private readonly o: LeaseOptions,
  ) {
    this.api = kc.makeApiClient(k8s.CoordinationV1Api);
  }

  private get leaseMs(): number {
    return this.o.leaseSeconds * 1000;
  }

  /**
   * Whether this replica may act as leader now. A margin under the lease: the others start
   * counting only after they read our last renewal, which was sent after renewedAt.
   */
  isLeader(now = Date.now()): boolean {
    return this.renewedAt > 0 && now - this.renewedAt < this.leaseMs * 0.8;
  }

  /** One round: acquire a free or expired Lease, renew ours, or stand by. Returns isLeader(). */
  async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseSeconds } = this.o;
    const sentAt = Date.now();
    try {
      const lease = await this.read();
      const now = new Date();
      if (!lease) {
        await asDashboard(() =>
          withDeadline(
            this.api.createNamespacedLease({
              namespace,
              body: {
                apiVersion: 'coordination.k8s.io/v1',
                kind: 'Lease',
                metadata: { name, namespace },
                spec: {
                  holderIdentity: identity,
                  leaseDurationSeconds: leaseSeconds,
                  acquireTime: now,
                  renewTime: now,
                  leaseTransitions: 0,
                },
              },
            }),
            5_000,
            'creating the notifier Lease',
          ),
        );
        this.renewedAt = sentAt;
        return true;
      }
      const spec = lease.spec ?? {};
      const holder = spec.holderIdentity ?? '';
      const rv = lease.metadata?.resourceVersion ?? '';
      if (holder && holder !== identity) {
        this.renewedAt = 0;
        if (this.observed?.resourceVersion !== rv) this.observed = { resourceVersion: rv, at: Date.now() };
        const duration = (spec.leaseDurationSeconds ?? leaseSeconds) * 1000;
        if (Date.now() - this.observed.at < duration) return false;
      }
      const mine = holder === identity;
      const body: k8s.V1Lease = {
        ...lease,
        metadata: { ...lease.metadata, resourceVersion: rv },
        spec: {
          ...spec,
          holderIdentity: identity,
          leaseDurationSeconds: leaseSeconds,
          renewTime: now,
          acquireTime: mine ? spec.acquireTime : now,
          leaseTransitions: (spec.leaseTransitions ?? 0) + (mine ? 0 : 1),
        },
      };
      await asDashboard(() =>
        withDeadline(this.api.replaceNamespacedLease({ namespace, name, body }), 5_000, 'renewing the notifier Lease'),
      );
      this.renewedAt = sentAt;
      this.observed = null;
      return true;
    } catch (err) {
      const e = toClusterError(err, 'electing the notifier');
      // 409: another replica wrote first (AlreadyExists or a newer resourceVersion): it leads.
      if (e.status !== 409)
        console.warn(JSON.stringify({ level: 'warn', msg: 'notifier lease round failed', error: e.message.slice(0, 300) }));
      if (!this.isLeader()) this.renewedAt = 0;
      return this.isLeader();
    }
  }

  /** Hands the Lease over at once (a clean shutdown): the next replica need not wait for expiry. */
  async release(): Promise<void> {
    if (!this.isLeader()) return;
    this.renewedAt = 0;
    try {
      const lease = await this.read();
      if (!lease || lease.spec?.holderIdentity !== this.o.identity) return;
      const body: k8s.V1Lease = { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new Date() } };
      await asDashboard(() =>
        withDeadline(
          this.api.replaceNamespacedLease({ namespace: this.o.namespace, name: this.o.name, body }),
          5_000,
          'releasing the notifier Lease',
        ),
      );
    } catch {
      // The Lease then expires on its own.
    }
  }

  private async read(): Promise<k8s.V1Lease | null> {
    try {
      return await asDashboard(() =>
        withDeadline(this.api.readNamespacedLease({ namespace: this.o.namespace, name: this.o.name }), 5_000, 'reading the notifier Lease'),
      );
    } catch (err) {
      if (toClusterError(err, 'reading the notifier Lease').kind === 'not-found') return null;
      throw err;
    }
  }
}
