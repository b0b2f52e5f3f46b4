import 'server-only';
import { withDeadline, type Cluster } from './clusters';
import {
  currentIdentity,
  identityLabel,
  impersonationEnabled,
  requireAccess,
  requireExecAccess,
  type AccessQuestion,
} from './impersonation';

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
  const what = describeCheck(check);
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

function describeCheck(check: AccessCheck): string {
  return `${check.verb} ${check.subresource ? `${check.resource}/${check.subresource}` : check.resource} in ${check.namespace}`;
}

type ResourceRule = { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] };

/** RBAC's own matching (verbs, groups, `*`, `res/sub`, `*\/sub`, resourceNames) of one rule against one check. */
function ruleAllows(rule: ResourceRule, check: AccessCheck): boolean {
  const has = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === '*' || x === v);
  if (!has(rule.verbs, check.verb) || !has(rule.apiGroups, check.group ?? '')) return false;
  const resource = check.subresource ? `${check.resource}/${check.subresource}` : check.resource;
  const resources = rule.resources ?? [];
  if (!resources.some((r) => r === '*' || r === resource || (check.subresource && r === `*/${check.subresource}`))) return false;
  return !rule.resourceNames?.length || (check.name !== undefined && rule.resourceNames.includes(check.name));
}

/**
 * Several questions about one namespace in one call: a SelfSubjectRulesReview, read with RBAC's
 * matching. When the cluster says its list is incomplete (another authorizer, such as a webhook,
 * may allow more) or cannot answer, each question goes to canI instead.
 */
export async function canIAll<K extends string>(
  cluster: Cluster,
  namespace: string,
  checks: Partial<Record<K, Omit<AccessCheck, 'namespace'>>>,
): Promise<Partial<Record<K, AccessAnswer>>> {
  const keys = (Object.keys(checks) as K[]).filter((k) => checks[k]);
  const full = (k: K): AccessCheck => ({ ...checks[k]!, namespace });
  const oneByOne = async () =>
    Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await canI(cluster, full(k))] as const))) as Partial<
      Record<K, AccessAnswer>
    >;
  if (keys.length === 0) return {};
  let who: string;
  try {
    who = identityLabel(await currentIdentity());
  } catch (err) {
    return Object.fromEntries(keys.map((k) => [k, { allowed: false, reason: (err as Error).message }])) as Partial<Record<K, AccessAnswer>>;
  }
  let rules: ResourceRule[];
  try {
    const res = await withDeadline(
      cluster.authz.createSelfSubjectRulesReview({
        body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace } },
      }),
      5_000,
      'checking permissions',
    );
    if (!res.status || res.status.incomplete) return oneByOne();
    rules = res.status.resourceRules ?? [];
  } catch {
    return oneByOne();
  }
  return Object.fromEntries(
    keys.map((k) => {
      const check = full(k);
      const allowed = rules.some((r) => ruleAllows(r, check));
      return [k, allowed ? { allowed: true } : { allowed: false, reason: `The cluster does not allow ${who} to ${describeCheck(check)}.` }];
    }),
  ) as Partial<Record<K, AccessAnswer>>;
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
  return requireAccess((check) => canI(cluster, check), cluster.id, {
    namespace,
    verb: 'list',
    resource,
    group: resource === 'deployments' ? 'apps' : '',
  });
}

/** Whether the signed-in person may read this kind there (always, without impersonation). */
export async function mayList(cluster: Cluster, namespace: string, resource: 'deployments' | 'pods' | 'events'): Promise<boolean> {
  if (!impersonationEnabled()) return true;
  return requireListAccess(cluster, namespace, resource).then(
    () => true,
    () => false,
  );
}
