import 'server-only';
import { withDeadline, type Cluster } from './clusters';

export interface AccessCheck {
  namespace: string;
  verb: string;
  resource: string;
  group?: string;
  subresource?: string;
  name?: string;
}

export interface AccessAnswer {
  allowed: boolean;
  /** Why not, in words an operator can pass on to an admin. */
  reason?: string;
}

/**
 * Asks the cluster whether the dashboard's identity may do something, so the UI can disable
 * what would fail instead of offering a button that returns 403.
 */
export async function canI(cluster: Cluster, check: AccessCheck): Promise<AccessAnswer> {
  const what = `${check.verb} ${check.subresource ? `${check.resource}/${check.subresource}` : check.resource} in ${check.namespace}`;
  try {
    const res = await withDeadline(
      cluster.authz.createSelfSubjectAccessReview({
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { ...check, group: check.group ?? '' } },
        },
      }),
      5_000,
      'checking permissions',
    );
    if (res.status?.allowed) return { allowed: true };
    return { allowed: false, reason: `The cluster does not allow the dashboard to ${what}.` };
  } catch {
    return { allowed: false, reason: `The cluster could not say whether the dashboard may ${what}.` };
  }
}
