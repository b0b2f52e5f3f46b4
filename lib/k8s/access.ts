import 'server-only';
import { withDeadline, type Cluster } from './clusters';
import { currentIdentity, identityLabel, impersonationEnabled, requireAccess, requireExecAccess, type AccessQuestion } from './impersonation';

export type AccessCheck = AccessQuestion;

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
  // In impersonation mode the review is made as the signed-in user, and the reason names them.
  let who = 'the dashboard';
  try {
    who = identityLabel(await currentIdentity());
  } catch (err) {
    return { allowed: false, reason: (err as Error).message };
  }
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
    return { allowed: false, reason: `The cluster does not allow ${who} to ${what}.` };
  } catch {
    return { allowed: false, reason: `The cluster could not say whether ${who} may ${what}.` };
  }
}

/**
 * In impersonation mode, cached pod data is served only to someone the cluster lets exec into
 * that pod (or namespace); a no-op otherwise. Throws a forbidden ClusterError in plain words.
 */
export function requirePodAccess(cluster: Cluster, namespace: string, pod?: string): Promise<void> {
  return requireExecAccess((check) => canI(cluster, check), cluster.id, namespace, pod);
}

/**
 * In impersonation mode, objects of the shared watch cache are served only to someone the
 * cluster lets list that kind there (namespace "" = cluster-wide), asked as that person and
 * remembered briefly; a no-op otherwise. Throws a forbidden ClusterError in plain words.
 */
export function requireListAccess(cluster: Cluster, namespace: string, resource: 'deployments' | 'pods' | 'events'): Promise<void> {
  return requireAccess((check) => canI(cluster, check), cluster.id, { namespace, verb: 'list', resource, group: resource === 'deployments' ? 'apps' : '' });
}

/** Whether the signed-in person may read this kind there (always, without impersonation). */
export async function mayList(cluster: Cluster, namespace: string, resource: 'deployments' | 'pods' | 'events'): Promise<boolean> {
  if (!impersonationEnabled()) return true;
  return requireListAccess(cluster, namespace, resource).then(
    () => true,
    () => false,
  );
}
