// The chart grants what the code calls and nothing more: the permissions are read from the
// code (client method names and helper classes) and compared both ways with the rendered rules.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderChart } from '../../../scripts/helm';
import { parseApiMethod, permissionsUsedByCode, type Permission } from './code-permissions';

const root = path.resolve(__dirname, '../../..');
type Doc = Record<string, any>;
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

/** `verb group resource` for every combination a rule grants. */
function grants(rules: Rule[]): Set<string> {
  const out = new Set<string>();
  for (const r of rules) for (const v of r.verbs) for (const g of r.apiGroups) for (const res of r.resources) out.add(`${v} ${g} ${res}`);
  return out;
}

function boundRules(docs: Doc[], sa: { name: string; namespace: string }) {
  const roles = new Map(docs.filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole').map((d) => [`${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`, d.rules as Rule[]]));
  const namespaced = new Map<string, Rule[]>();
  const cluster: Rule[] = [];
  for (const b of docs.filter((d) => d.kind === 'RoleBinding' || d.kind === 'ClusterRoleBinding')) {
    expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.name, namespace: sa.namespace }]);
    const ns = b.kind === 'RoleBinding' ? b.metadata.namespace : '';
    const rules = roles.get(b.roleRef.kind === 'Role' ? `Role/${ns}/${b.roleRef.name}` : `ClusterRole//${b.roleRef.name}`);
    expect(rules, `${b.kind} ${b.metadata.name} refers to a role the chart renders`).toBeDefined();
    if (ns) namespaced.set(ns, [...(namespaced.get(ns) ?? []), ...rules!]);
    else cluster.push(...rules!);
  }
  return { namespaced, cluster };
}

const used = permissionsUsedByCode(root);
const codeKeys = (filter: (p: Permission) => boolean) => new Set([...used.permissions.entries()].filter(([, p]) => filter(p)).map(([k]) => k));
const SA = { name: 'openab-dashboard', namespace: 'openab-dashboard' };
const base = { fullnameOverride: 'openab-dashboard' };

describe('permissions derived from the code', () => {
  it('maps client method names by the client naming rules', () => {
    expect(parseApiMethod('listNamespacedPod')).toMatchObject({ verb: 'list', kind: 'Pod', namespaced: true, allNamespaces: false });
    expect(parseApiMethod('readNamespacedPodLog')).toMatchObject({ verb: 'get', kind: 'Pod', subresource: 'log' });
    expect(parseApiMethod('listDeploymentForAllNamespaces')).toMatchObject({ verb: 'list', kind: 'Deployment', allNamespaces: true });
    expect(parseApiMethod('createSelfSubjectAccessReview')).toMatchObject({ verb: 'create', kind: 'SelfSubjectAccessReview' });
    expect(parseApiMethod('patchNamespacedDeploymentScale')).toMatchObject({ verb: 'patch', kind: 'Deployment', subresource: 'scale' });
    expect(parseApiMethod('readFileSync')).toBeNull();
    expect(parseApiMethod('createHash')).toBeNull();
  });

  it('finds the calls the dashboard is known to make, and none it cannot map', () => {
    expect(used.unknown).toEqual([]);
    const keys = [...used.permissions.keys()];
    // A floor, not the answer: the comparison below uses whatever the code holds today.
    for (const k of ['list apps deployments', 'list  pods', 'patch apps deployments', 'create  pods/exec', 'get  pods/log', 'create  events', 'create authorization.k8s.io selfsubjectaccessreviews'])
      expect(keys).toContain(k);
  });
});

describe('rendered RBAC equals what the code uses', () => {
  const secretNames = ['openab-codex', 'team-b/openab-codex-2'];

  it('namespaced: one Role per watched namespace with exactly the namespaced calls; access reviews alone cluster-wide', async () => {
    const docs = await renderChart({ ...base, namespaces: ['agents', 'team-b'], discord: { secretFallback: true, agentSecretNames: secretNames } });
    const { namespaced, cluster } = boundRules(docs, SA);
    expect([...namespaced.keys()].sort()).toEqual(['agents', 'team-b']);
    // The app lists namespace by namespace only when told which: the Roles and WATCH_NAMESPACES agree.
    const env = docs.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>;
    expect(env.find((e) => e.name === 'WATCH_NAMESPACES')?.value).toBe('agents,team-b');
    const wanted = codeKeys((p) => !p.clusterScoped);
    for (const [ns, rules] of namespaced) {
      expect([...grants(rules)].sort(), `Role in ${ns}`).toEqual([...wanted].sort());
      const secretRule = rules.find((r) => r.resources.includes('secrets'))!;
      expect(secretRule.verbs).toEqual(['get']);
      expect(secretRule.resourceNames).toEqual(ns === 'team-b' ? ['openab-codex', 'openab-codex-2'] : ['openab-codex']);
    }
    expect([...grants(cluster)].sort()).toEqual([...codeKeys((p) => Boolean(p.clusterScoped))].sort());
  });

  it('every rule the code needs is there, and every rule there is one the code needs (cluster-wide)', async () => {
    const docs = await renderChart({ ...base, rbac: { clusterWide: true }, namespaces: ['agents'], discord: { secretFallback: true, agentSecretNames: ['openab-codex', 'agents/openab-codex-3'] } });
    const { namespaced, cluster } = boundRules(docs, SA);
    const all = codeKeys(() => true);
    expect([...grants(cluster)].sort()).toEqual([...all].sort());
    // The code lists across namespaces when it watches all of them: that is only possible here.
    expect([...used.permissions.values()].some((p) => p.allNamespaces)).toBe(true);
    // A namespace-qualified Secret name stays in its namespace.
    expect([...namespaced.keys()]).toEqual(['agents']);
    expect(namespaced.get('agents')).toEqual([{ apiGroups: [''], resources: ['secrets'], resourceNames: ['openab-codex-3'], verbs: ['get'] }]);
    expect(cluster.find((r) => r.resources.includes('secrets'))!.resourceNames).toEqual(['openab-codex']);
  });

  it('no namespaces listed means cluster-wide rules', async () => {
    const docs = await renderChart(base);
    expect(docs.filter((d) => d.kind === 'Role')).toEqual([]);
    const env = docs.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>;
    expect(env.find((e) => e.name === 'WATCH_NAMESPACES')?.value).toBe('*');
    const { cluster } = boundRules(docs, SA);
    expect([...grants(cluster)].sort()).toEqual([...codeKeys((p) => p.resource !== 'secrets')].sort());
  });

  it('the Discord token fallback off: no rule mentions Secrets', async () => {
    const docs = await renderChart({ ...base, namespaces: ['agents'] });
    const rules = docs.filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole').flatMap((d) => d.rules as Rule[]);
    expect(rules.filter((r) => r.resources.includes('secrets'))).toEqual([]);
    const { namespaced } = boundRules(docs, SA);
    expect([...grants(namespaced.get('agents')!)].sort()).toEqual([...codeKeys((p) => !p.clusterScoped && p.resource !== 'secrets')].sort());
  });

  it('refuses the fallback without Secret names (an empty list would grant every Secret)', async () => {
    await expect(renderChart({ ...base, namespaces: ['agents'], discord: { secretFallback: true } })).rejects.toThrow(/agentSecretNames/);
  });

  it('impersonation is granted only when enabled, cluster-wide, optionally by name', async () => {
    const off = await renderChart({ ...base, namespaces: ['agents'] });
    expect(JSON.stringify(off)).not.toContain('impersonate');
    const on = await renderChart({ ...base, namespaces: ['agents'], impersonation: { enabled: true, groups: ['dashboard-operators'] } });
    const { cluster, namespaced } = boundRules(on, SA);
    expect(cluster.filter((r) => r.verbs.includes('impersonate'))).toEqual([
      { apiGroups: [''], resources: ['users'], verbs: ['impersonate'] },
      { apiGroups: [''], resources: ['groups'], verbs: ['impersonate'], resourceNames: ['dashboard-operators'] },
    ]);
    expect(JSON.stringify([...namespaced.values()])).not.toContain('impersonate');
  });

  it('no wildcard anywhere, and no rule without a verb', async () => {
    for (const values of [base, { ...base, namespaces: ['a', 'b'] }, { ...base, rbac: { clusterWide: true }, impersonation: { enabled: true } }]) {
      const rules = (await renderChart(values)).filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole').flatMap((d) => d.rules as Rule[]);
      for (const r of rules) {
        expect(r.verbs.length).toBeGreaterThan(0);
        expect([...r.verbs, ...r.resources, ...r.apiGroups]).not.toContain('*');
      }
    }
  });
});
