// A small RBAC authorizer: rules bound to users and groups, evaluated like the
// real RBAC authorizer (union of matching rules, `*` wildcards, subresources as
// `resource/sub`, resourceNames, namespace scoping). system:masters is always allowed.
import type { K8sObject } from './store';
import { dashboardHomeBinding } from './dashboard-home';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface PolicyBinding {
  subjects: Array<{ kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string }>;
  /** Limits the rules to one namespace (a RoleBinding); absent = cluster-wide (a ClusterRoleBinding). */
  namespace?: string;
  rules: PolicyRule[];
}

export interface RbacPolicy {
  bindings: PolicyBinding[];
}

export interface UserInfo {
  name: string;
  groups: string[];
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export const DASHBOARD_SA = 'system:serviceaccount:openab-dashboard:openab-dashboard';

function subjectMatches(s: PolicyBinding['subjects'][number], user: UserInfo): boolean {
  if (s.kind === 'User') return s.name === user.name;
  if (s.kind === 'Group') return user.groups.includes(s.name);
  return user.name === `system:serviceaccount:${s.namespace ?? 'default'}:${s.name}`;
}

function ruleAllows(rule: PolicyRule, a: ResourceAttributes): boolean {
  if (!rule.verbs.includes('*') && !rule.verbs.includes(a.verb)) return false;
  const groups = rule.apiGroups ?? [];
  if (!groups.includes('*') && !groups.includes(a.group)) return false;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = rule.resources ?? [];
  const resOk = resources.some(
    (r) => r === '*' || r === full || (a.subresource ? r === `*/${a.subresource}` : false) || (!a.subresource && r === a.resource),
  );
  if (!resOk) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) {
    if (!a.name || !rule.resourceNames.includes(a.name)) return false;
  }
  return true;
}

export class RbacAuthorizer {
  constructor(private policy: RbacPolicy) {}

  replace(policy: RbacPolicy): void {
    this.policy = policy;
  }

  current(): RbacPolicy {
    return this.policy;
  }

  allows(user: UserInfo, a: ResourceAttributes): boolean {
    if (user.groups.includes('system:masters')) return true;
    // Bootstrap system:basic-user, which survives any policy replacement.
    if (
      a.group === 'authorization.k8s.io' &&
      a.verb === 'create' &&
      /^selfsubject(access|rules)reviews$/.test(a.resource) &&
      user.groups.includes('system:authenticated')
    )
      return true;
    for (const b of this.policy.bindings) {
      if (b.namespace && b.namespace !== a.namespace) continue;
      if (!b.subjects.some((s) => subjectMatches(s, user))) continue;
      if (b.rules.some((r) => ruleAllows(r, a))) return true;
    }
    return false;
  }

  /** What a SelfSubjectRulesReview reports: every rule that applies to the user in the namespace. */
  rulesFor(user: UserInfo, namespace: string): { resourceRules: PolicyRule[]; nonResourceRules: PolicyRule[] } {
    if (user.groups.includes('system:masters'))
      return {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      };
    const resourceRules: PolicyRule[] = [
      { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
    ];
    const nonResourceRules: PolicyRule[] = [
      {
        verbs: ['get'],
        nonResourceURLs: [
          '/api',
          '/api/*',
          '/apis',
          '/apis/*',
          '/version',
          '/version/',
          '/healthz',
          '/livez',
          '/readyz',
          '/openapi',
          '/openapi/*',
        ],
      },
    ];
    for (const b of this.policy.bindings) {
      if (b.namespace && b.namespace !== namespace) continue;
      if (!b.subjects.some((s) => subjectMatches(s, user))) continue;
      for (const r of b.rules) {
        if (r.nonResourceURLs) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
        if (r.resources)
          resourceRules.push({
            verbs: r.verbs,
            apiGroups: r.apiGroups ?? [],
            resources: r.resources,
            ...(r.resourceNames ? { resourceNames: r.resourceNames } : {}),
          });
      }
    }
    return { resourceRules, nonResourceRules };
  }

  allowsNonResource(user: UserInfo, path: string, verb: string): boolean {
    if (user.groups.includes('system:masters')) return true;
    // system:discovery and system:public-info-viewer let every authenticated user read these.
    if (user.groups.includes('system:authenticated') && /^\/(api|apis|version|openapi|healthz|livez|readyz)(\/|$)/.test(path)) return true;
    for (const b of this.policy.bindings) {
      if (b.namespace) continue;
      if (!b.subjects.some((s) => subjectMatches(s, user))) continue;
      for (const r of b.rules) {
        if (!r.nonResourceURLs) continue;
        if (!r.verbs.includes('*') && !r.verbs.includes(verb)) continue;
        if (r.nonResourceURLs.some((u) => u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))))) return true;
      }
    }
    return false;
  }
}

/** The real API's 403 message: `pods "x" is forbidden: User "u" cannot get resource "pods" in API group "" in the namespace "ns"`. */
export function forbiddenMessage(user: UserInfo, a: ResourceAttributes): string {
  const qualified = a.group ? `${a.resource}.${a.group}` : a.resource;
  const subject = a.name ? `${qualified} "${a.name}"` : qualified;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${subject} is forbidden: User "${user.name}" cannot ${a.verb} resource "${full}" in API group "${a.group}" ${scope}`;
}

const READ = ['get', 'list', 'watch'];
const CORE_READ_RESOURCES = ['pods', 'pods/log', 'events', 'configmaps', 'persistentvolumeclaims', 'namespaces'];

/** Default rules: admin via system:masters; one user per dashboard role; the dashboard's service account. */
export function defaultPolicy(): RbacPolicy {
  const viewerRules: PolicyRule[] = [
    { verbs: READ, apiGroups: [''], resources: CORE_READ_RESOURCES },
    { verbs: READ, apiGroups: ['apps'], resources: ['deployments', 'replicasets'] },
  ];
  const supportRules: PolicyRule[] = [...viewerRules, { verbs: ['get', 'create'], apiGroups: [''], resources: ['pods/exec'] }];
  const operatorRules: PolicyRule[] = [...supportRules, { verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments'] }];
  const dashboardRules: PolicyRule[] = [
    { verbs: READ, apiGroups: [''], resources: ['pods', 'events', 'namespaces'] },
    { verbs: READ, apiGroups: ['apps'], resources: ['deployments'] },
    { verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments'] },
    { verbs: ['get', 'create'], apiGroups: [''], resources: ['pods/exec'] },
    { verbs: ['get'], apiGroups: [''], resources: ['pods/log', 'secrets', 'configmaps'] },
    { verbs: ['create'], apiGroups: [''], resources: ['events'] },
    { verbs: ['impersonate'], apiGroups: [''], resources: ['users', 'groups'] },
  ];
  return {
    bindings: [
      { subjects: [{ kind: 'User', name: 'viewer' }], rules: viewerRules },
      { subjects: [{ kind: 'User', name: 'support' }], rules: supportRules },
      { subjects: [{ kind: 'User', name: 'operator' }], rules: operatorRules },
      { subjects: [{ kind: 'ServiceAccount', name: 'openab-dashboard', namespace: 'openab-dashboard' }], rules: dashboardRules },
      dashboardHomeBinding(),
    ],
  };
}

/**
 * Accepts either our own `{ bindings }` policy or Kubernetes RBAC objects
 * (Role, ClusterRole, RoleBinding, ClusterRoleBinding; a List or an array),
 * such as a Helm chart renders.
 */
export function policyFromJson(body: unknown): RbacPolicy {
  if (body && typeof body === 'object' && Array.isArray((body as RbacPolicy).bindings)) return body as RbacPolicy;
  const objects: K8sObject[] = Array.isArray(body)
    ? body
    : Array.isArray((body as K8sObject)?.items)
      ? (body as K8sObject).items
      : [body as K8sObject];
  const roles = new Map<string, PolicyRule[]>();
  for (const o of objects) {
    if (o?.kind === 'Role') roles.set(`Role/${o.metadata?.namespace ?? 'default'}/${o.metadata?.name}`, o.rules ?? []);
    if (o?.kind === 'ClusterRole') roles.set(`ClusterRole/${o.metadata?.name}`, o.rules ?? []);
  }
  const bindings: PolicyBinding[] = [];
  for (const o of objects) {
    if (o?.kind !== 'RoleBinding' && o?.kind !== 'ClusterRoleBinding') continue;
    const ns = o.kind === 'RoleBinding' ? (o.metadata?.namespace ?? 'default') : undefined;
    const ref = o.roleRef ?? {};
    const rules = ref.kind === 'Role' ? roles.get(`Role/${ns}/${ref.name}`) : roles.get(`ClusterRole/${ref.name}`);
    if (!rules) continue;
    const subjects = (o.subjects ?? []).map((s: K8sObject) => ({ kind: s.kind, name: s.name, namespace: s.namespace }));
    bindings.push({ subjects, namespace: ns, rules });
  }
  return { bindings };
}
