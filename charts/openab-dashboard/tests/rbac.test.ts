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

type Subject = { kind: string; name: string; namespace?: string };

/** The Role (and its binding) for the session list in the dashboard's own namespace; checked on its own below. */
const isSessionsRole = (d: Doc) => (d.kind === 'Role' || d.kind === 'RoleBinding') && d.metadata.name === 'openab-dashboard-sessions';

/** The rules bound to `subject`, per namespace (RoleBindings) and cluster-wide (ClusterRoleBindings), the session list's Role aside. */
function boundRules(all: Doc[], subject: Subject) {
  const docs = all.filter((d) => !isSessionsRole(d));
  const roles = new Map(
    docs
      .filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole')
      .map((d) => [`${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`, d.rules as Rule[]]),
  );
  const namespaced = new Map<string, Rule[]>();
  const cluster: Rule[] = [];
  for (const b of docs.filter((d) => d.kind === 'RoleBinding' || d.kind === 'ClusterRoleBinding')) {
    if (
      !(b.subjects as Subject[]).some(
        (s) => s.kind === subject.kind && s.name === subject.name && (s.namespace ?? '') === (subject.namespace ?? ''),
      )
    )
      continue;
    const ns = b.kind === 'RoleBinding' ? b.metadata.namespace : '';
    const rules = roles.get(b.roleRef.kind === 'Role' ? `Role/${ns}/${b.roleRef.name}` : `ClusterRole//${b.roleRef.name}`);
    expect(rules, `${b.kind} ${b.metadata.name} refers to a role the chart renders`).toBeDefined();
    if (ns) namespaced.set(ns, [...(namespaced.get(ns) ?? []), ...rules!]);
    else cluster.push(...rules!);
  }
  return { namespaced, cluster };
}

/** Every subject any binding names. */
const allSubjects = (docs: Doc[]) =>
  new Set(
    docs
      .filter((d) => d.kind.endsWith('Binding'))
      .flatMap((d) => (d.subjects as Subject[]).map((s) => `${s.kind}/${s.namespace ?? ''}/${s.name}`)),
  );

const used = permissionsUsedByCode(root);
const codeKeys = (filter: (p: Permission) => boolean) =>
  new Set([...used.permissions.entries()].filter(([, p]) => filter(p)).map(([k]) => k));
const SA: Subject = { kind: 'ServiceAccount', name: 'openab-dashboard', namespace: 'openab-dashboard' };
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
    for (const k of [
      'list apps deployments',
      'list  pods',
      'patch apps deployments',
      'create  pods/exec',
      'get  pods/log',
      'create  events',
      'create authorization.k8s.io selfsubjectaccessreviews',
    ])
      expect(keys).toContain(k);
  });
});

describe('rendered RBAC equals what the code uses', () => {
  const secretNames = ['openab-codex', 'team-b/openab-codex-2'];

  it('namespaced: one Role per watched namespace with exactly the namespaced calls; access reviews alone cluster-wide', async () => {
    const docs = await renderChart({
      ...base,
      namespaces: ['agents', 'team-b'],
      discord: { secretFallback: true, agentSecretNames: secretNames },
    });
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
    const docs = await renderChart({
      ...base,
      rbac: { clusterWide: true },
      namespaces: ['agents'],
      discord: { secretFallback: true, agentSecretNames: ['openab-codex', 'agents/openab-codex-3'] },
    });
    const { namespaced, cluster } = boundRules(docs, SA);
    const all = codeKeys(() => true);
    expect([...grants(cluster)].sort()).toEqual([...all].sort());
    // The code lists across namespaces when it watches all of them: that is only possible here.
    expect([...used.permissions.values()].some((p) => p.allNamespaces)).toBe(true);
    // A namespace-qualified Secret name stays in its namespace.
    expect([...namespaced.keys()]).toEqual(['agents']);
    expect(namespaced.get('agents')).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['openab-codex-3'], verbs: ['get'] },
    ]);
    expect(cluster.find((r) => r.resources.includes('secrets'))!.resourceNames).toEqual(['openab-codex']);
  });

  it('no namespaces listed means cluster-wide rules', async () => {
    const docs = await renderChart(base);
    expect(docs.filter((d) => d.kind === 'Role' && !isSessionsRole(d))).toEqual([]);
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
    expect([...grants(namespaced.get('agents')!)].sort()).toEqual(
      [...codeKeys((p) => !p.clusterScoped && p.resource !== 'secrets')].sort(),
    );
  });

  it('refuses the fallback without Secret names (an empty list would grant every Secret)', async () => {
    await expect(renderChart({ ...base, namespaces: ['agents'], discord: { secretFallback: true } })).rejects.toThrow(/agentSecretNames/);
  });

  it('without impersonation only the service account is bound', async () => {
    for (const values of [base, { ...base, namespaces: ['agents', 'team-b'] }])
      expect([...allSubjects(await renderChart(values))]).toEqual(['ServiceAccount/openab-dashboard/openab-dashboard']);
  });

  it('impersonation mode: the service account may impersonate and write the audit Events; the people get the rules the code uses', async () => {
    const off = await renderChart({ ...base, namespaces: ['agents'] });
    expect(JSON.stringify(off)).not.toContain('impersonate');
    const group: Subject = { kind: 'Group', name: 'oidc:sre' };
    const on = await renderChart({
      ...base,
      namespaces: ['agents', 'team-b'],
      impersonation: { enabled: true, groups: ['oidc:sre'], subjects: [group] },
    });
    const sa = boundRules(on, SA);
    expect(sa.cluster.filter((r) => r.verbs.includes('impersonate'))).toEqual([
      { apiGroups: [''], resources: ['users'], verbs: ['impersonate'] },
      { apiGroups: [''], resources: ['groups'], verbs: ['impersonate'], resourceNames: ['oidc:sre'] },
    ]);
    // Only what the code does as the dashboard whatever the mode (asDashboard), read from the code.
    expect(used.asDashboard.size).toBeGreaterThan(0);
    for (const ns of ['agents', 'team-b']) expect([...grants(sa.namespaced.get(ns)!)].sort(), ns).toEqual([...used.asDashboard].sort());
    const people = boundRules(on, group);
    for (const ns of ['agents', 'team-b'])
      expect([...grants(people.namespaced.get(ns)!)].sort(), ns).toEqual(
        [...codeKeys((p) => !p.clusterScoped && p.resource !== 'secrets')].sort(),
      );
    expect(people.cluster).toEqual([]);
    // Without subjects the Role is there for the admin to bind, bound to nobody.
    const unbound = await renderChart({ ...base, namespaces: ['agents'], impersonation: { enabled: true } });
    expect(
      unbound
        .filter((d) => d.kind === 'Role' && !isSessionsRole(d))
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(['openab-dashboard', 'openab-dashboard-audit']);
    expect([...allSubjects(unbound)]).toEqual(['ServiceAccount/openab-dashboard/openab-dashboard']);
    expect([...grants(boundRules(unbound, SA).namespaced.get('agents')!)]).toEqual([...used.asDashboard]);
  });

  it('impersonation mode cluster-wide: the audit Events rule is cluster-wide too', async () => {
    const docs = await renderChart({ ...base, impersonation: { enabled: true, subjects: [{ kind: 'User', name: 'alice@example.com' }] } });
    expect([...grants(boundRules(docs, SA).cluster)].sort()).toEqual(
      [...used.asDashboard, ...codeKeys((p) => Boolean(p.clusterScoped)), 'impersonate  groups', 'impersonate  users'].sort(),
    );
    expect([...grants(boundRules(docs, { kind: 'User', name: 'alice@example.com' }).cluster)].sort()).toEqual(
      [...codeKeys((p) => p.resource !== 'secrets' && !p.clusterScoped)].sort(),
    );
  });

  it('ConfigMaps: readable by default, by name when listed, not at all when turned off', async () => {
    const rule = async (agents: Doc) =>
      (await renderChart({ ...base, namespaces: ['agents'], agents }))
        .filter((d) => d.kind === 'Role' && !isSessionsRole(d))
        .flatMap((d) => d.rules as Rule[])
        .filter((r) => r.resources.includes('configmaps'));
    expect(await rule({})).toEqual([{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
    expect(await rule({ configMapNames: ['openab-codex'] })).toEqual([
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['openab-codex'], verbs: ['get'] },
    ]);
    expect(await rule({ readConfigMaps: false })).toEqual([]);
  });

  it("the dashboard's own namespace: exactly the session list's calls, the ConfigMap by name where RBAC allows", async () => {
    expect([...used.ownNamespace.keys()].sort()).toEqual([
      'create  configmaps',
      'create  events',
      'create coordination.k8s.io leases',
      'get  configmaps',
      'get coordination.k8s.io leases',
      'update  configmaps',
      'update coordination.k8s.io leases',
    ]);
    for (const values of [base, { ...base, namespaces: ['agents', 'openab-dashboard'] }, { ...base, impersonation: { enabled: true } }]) {
      const docs = await renderChart(values, { namespace: 'dash-home' });
      const roles = docs.filter((d) => d.kind === 'Role' && d.metadata.name === 'openab-dashboard-sessions');
      expect(roles.map((r) => r.metadata.namespace)).toEqual(['dash-home']);
      expect([...grants(roles[0].rules)].sort()).toEqual([...used.ownNamespace.keys()].sort());
      // By name: the session list, the notifier's record and its Lease.
      expect(roles[0].rules.filter((r: Rule) => r.verbs.some((v) => v !== 'create')).map((r: Rule) => r.resourceNames?.join())).toEqual([
        'openab-dashboard-sessions,openab-dashboard-notifications',
        'openab-dashboard-notifier',
      ]);
      const binding = docs.find((d) => d.kind === 'RoleBinding' && d.metadata.name === 'openab-dashboard-sessions')!;
      expect(binding.metadata.namespace).toBe('dash-home');
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'openab-dashboard', namespace: 'dash-home' }]);
      const env = docs.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0].env as Array<{
        name: string;
        value?: string;
      }>;
      expect(env.find((e) => e.name === 'SESSION_STORE_NAMESPACE')?.value).toBe('dash-home');
      expect(env.find((e) => e.name === 'SESSION_STORE_NAME')?.value).toBe('openab-dashboard-sessions');
    }
  });

  it('no wildcard anywhere, and no rule without a verb', async () => {
    for (const values of [
      base,
      { ...base, namespaces: ['a', 'b'] },
      { ...base, rbac: { clusterWide: true }, impersonation: { enabled: true } },
    ]) {
      const rules = (await renderChart(values))
        .filter((d) => d.kind === 'Role' || d.kind === 'ClusterRole')
        .flatMap((d) => d.rules as Rule[]);
      for (const r of rules) {
        expect(r.verbs.length).toBeGreaterThan(0);
        expect([...r.verbs, ...r.resources, ...r.apiGroups]).not.toContain('*');
      }
    }
  });
});
