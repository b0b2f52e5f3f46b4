// Conformance with the unmodified @kubernetes/client-node: CRUD, selectors,
// watch, every patch type, rollout, logs, access reviews, impersonation, RBAC.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../cluster';
import { createAgent, kubeConfig, rawFetch, readyPod, waitFor } from './helpers';

let cluster: DevCluster;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
const NS = 'conf';

function statusCode(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

function statusBody(err: unknown): Record<string, any> {
  const body = (err as { body?: unknown }).body;
  return typeof body === 'string' ? JSON.parse(body) : (body as Record<string, any>);
}

beforeAll(async () => {
  cluster = await startDevCluster({ seed: 'empty', quiet: true, podReadyDelayMs: 300, podTerminationDelayMs: 300, logIntervalMs: 200 });
  kc = kubeConfig(cluster);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespace({ body: { metadata: { name: 'conf-b' } } });
  await createAgent(kc, NS, 'alpha');
  await createAgent(kc, NS, 'beta', { tier: 'gold' });
  await createAgent(kc, 'conf-b', 'gamma', { tier: 'silver' });
  await readyPod(kc, NS, 'alpha');
  await readyPod(kc, NS, 'beta');
  await readyPod(kc, 'conf-b', 'gamma');
});

afterAll(async () => {
  await cluster?.stop();
});

describe('objects', () => {
  it('serves discovery and version', async () => {
    const v = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(v.major).toBe('1');
    const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'authorization.k8s.io']));
    const res = await kc.makeApiClient(k8s.CoreV1Api).getAPIResources();
    expect(res.resources.map((r) => r.name)).toEqual(expect.arrayContaining(['pods', 'pods/exec', 'pods/log', 'secrets', 'events']));
  });

  it('lists with label selectors of every form, per namespace and across all', async () => {
    const names = async (labelSelector: string) =>
      (await apps.listDeploymentForAllNamespaces({ labelSelector })).items.map((d) => d.metadata!.name).sort();
    expect(await names('app.kubernetes.io/name=openab')).toEqual(['alpha', 'beta', 'gamma']);
    expect(await names('app.kubernetes.io/component==beta')).toEqual(['beta']);
    expect(await names('app.kubernetes.io/component!=beta')).toEqual(['alpha', 'gamma']);
    expect(await names('tier in (gold,silver)')).toEqual(['beta', 'gamma']);
    expect(await names('tier notin (gold)')).toEqual(['alpha', 'gamma']);
    expect(await names('tier')).toEqual(['beta', 'gamma']);
    expect(await names('!tier')).toEqual(['alpha']);
    expect(await names('app.kubernetes.io/name=openab,tier,tier!=silver')).toEqual(['beta']);
    const inNs = await apps.listNamespacedDeployment({ namespace: NS });
    expect(inNs.items.map((d) => d.metadata!.name).sort()).toEqual(['alpha', 'beta']);
    const pods = await core.listPodForAllNamespaces({ labelSelector: 'app.kubernetes.io/name=openab' });
    expect(pods.items).toHaveLength(3);
    for (const p of pods.items) {
      expect(p.metadata!.name).toMatch(
        new RegExp(`^${p.metadata!.labels!['app.kubernetes.io/component']}-${p.metadata!.labels!['pod-template-hash']}-[a-z0-9]{5}$`),
      );
      expect(p.spec!.nodeName).toBe('devcluster-node-1');
      expect(p.status!.containerStatuses![0]).toMatchObject({ name: 'openab', ready: true, started: true, restartCount: 0 });
      expect(p.status!.podIP).toBeTruthy();
    }
    const byField = await core.listNamespacedPod({
      namespace: NS,
      fieldSelector: `metadata.name=${pods.items.find((p) => p.metadata!.namespace === NS)!.metadata!.name}`,
    });
    expect(byField.items).toHaveLength(1);
    await expect(core.listNamespacedPod({ namespace: NS, labelSelector: 'a in (b' })).rejects.toMatchObject({ code: 400 });
  });

  it("parses label selectors with kube-apiserver's grammar: set terms, spacing, gt/lt, and the same refusals", async () => {
    const names = async (labelSelector: string) =>
      (await apps.listDeploymentForAllNamespaces({ labelSelector })).items.map((d) => d.metadata!.name).sort();
    expect(await names('app.kubernetes.io/component in (alpha,gamma)')).toEqual(['alpha', 'gamma']);
    expect(await names('  tier  in  ( gold , silver ) , ! missing ')).toEqual(['beta', 'gamma']);
    expect(await names('in notin (x)')).toEqual(['alpha', 'beta', 'gamma']);
    expect(await names('tier in (gold,)')).toEqual(['beta']);
    expect(await names('app.kubernetes.io/component>5')).toEqual([]);
    // What kube-apiserver answers with 400 "unable to parse requirement", never a list.
    for (const bad of [
      'tier in (gold silver)',
      'a,,b',
      'tier=gold,',
      ',tier',
      'a=b=c',
      'a=(b)',
      'Example.com/a=b',
      'a=-b',
      'a>b',
      'tier in gold',
      '!tier=gold',
      'a b',
    ]) {
      await expect(apps.listDeploymentForAllNamespaces({ labelSelector: bad }), bad).rejects.toMatchObject({ code: 400 });
    }
  });

  it('gets, and answers missing objects and duplicates with real Status errors', async () => {
    const d = await apps.readNamespacedDeployment({ namespace: NS, name: 'alpha' });
    expect(d.metadata!.generation).toBe(1);
    expect(d.status!.observedGeneration).toBe(1);
    expect(d.status!.conditions!.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      'Available=True/MinimumReplicasAvailable',
      'Progressing=True/NewReplicaSetAvailable',
    ]);
    try {
      await apps.readNamespacedDeployment({ namespace: NS, name: 'nope' });
      expect.unreachable();
    } catch (err) {
      expect(statusCode(err)).toBe(404);
      expect(statusBody(err)).toMatchObject({
        kind: 'Status',
        reason: 'NotFound',
        message: 'deployments.apps "nope" not found',
        code: 404,
      });
    }
    try {
      await core.createNamespacedSecret({ namespace: NS, body: { metadata: { name: 'alpha' } } });
      expect.unreachable();
    } catch (err) {
      expect(statusCode(err)).toBe(409);
      expect(statusBody(err)).toMatchObject({ reason: 'AlreadyExists', message: 'secrets "alpha" already exists' });
    }
    try {
      await apps.createNamespacedDeployment({
        namespace: NS,
        body: {
          metadata: { name: 'bad' },
          spec: {
            selector: { matchLabels: { a: 'b' } },
            template: { metadata: { labels: { a: 'c' } }, spec: { containers: [{ name: 'x', image: 'x' }] } },
          },
        },
      });
      expect.unreachable();
    } catch (err) {
      expect(statusCode(err)).toBe(422);
      expect(statusBody(err).reason).toBe('Invalid');
    }
    const secret = await core.readNamespacedSecret({ namespace: NS, name: 'alpha' });
    expect(Buffer.from(secret.data!['discord-bot-token'], 'base64').toString()).toBe('bot-token-alpha');
  });

  it('rejects a stale resourceVersion on update with 409 Conflict', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'cfg' }, data: { a: '1' } } });
    await core.replaceNamespacedConfigMap({ namespace: NS, name: 'cfg', body: { ...cm, data: { a: '2' } } });
    try {
      await core.replaceNamespacedConfigMap({ namespace: NS, name: 'cfg', body: { ...cm, data: { a: '3' } } });
      expect.unreachable();
    } catch (err) {
      expect(statusCode(err)).toBe(409);
      expect(statusBody(err).reason).toBe('Conflict');
    }
  });

  it('creates and lists events', async () => {
    await core.createNamespacedEvent({
      namespace: NS,
      body: {
        metadata: { name: 'dash.1' },
        involvedObject: { kind: 'Deployment', namespace: NS, name: 'alpha' },
        reason: 'RestartRequested',
        message: 'restart by test',
        type: 'Normal',
      },
    });
    const evs = await core.listNamespacedEvent({ namespace: NS });
    expect(evs.items.some((e) => e.reason === 'RestartRequested')).toBe(true);
    expect(evs.items.some((e) => e.reason === 'Scheduled' && e.source?.component === 'default-scheduler')).toBe(true);
  });
});

describe('patch and rollout', () => {
  it('applies strategic-merge, merge and JSON patches, bumping generation on spec changes', async () => {
    const opts = (t: string) => k8s.setHeaderOptions('Content-Type', t);
    const sm = await apps.patchNamespacedDeployment(
      {
        namespace: NS,
        name: 'beta',
        body: { spec: { template: { spec: { containers: [{ name: 'openab', env: [{ name: 'EXTRA', value: '1' }] }] } } } },
      },
      opts(k8s.PatchStrategy.StrategicMergePatch),
    );
    const env = sm.spec!.template.spec!.containers[0].env!.map((e) => e.name);
    expect(env).toEqual(['HOME', 'DISCORD_BOT_TOKEN', 'EXTRA']);
    expect(sm.metadata!.generation).toBe(2);
    const mp = await apps.patchNamespacedDeployment(
      { namespace: NS, name: 'beta', body: { metadata: { labels: { patched: 'merge' } } } },
      opts(k8s.PatchStrategy.MergePatch),
    );
    expect(mp.metadata!.labels!.patched).toBe('merge');
    expect(mp.metadata!.generation).toBe(2);
    const jp = await apps.patchNamespacedDeployment(
      {
        namespace: NS,
        name: 'beta',
        body: [
          { op: 'replace', path: '/spec/template/spec/containers/0/env/2/value', value: '2' },
          { op: 'remove', path: '/metadata/labels/patched' },
        ],
      },
      opts(k8s.PatchStrategy.JsonPatch),
    );
    expect(jp.spec!.template.spec!.containers[0].env![2]).toEqual({ name: 'EXTRA', value: '2' });
    expect(jp.metadata!.labels!.patched).toBeUndefined();
    expect(jp.metadata!.generation).toBe(3);
    await expect(
      apps.patchNamespacedDeployment(
        { namespace: NS, name: 'beta', body: [{ op: 'test', path: '/spec/replicas', value: 7 }] },
        opts(k8s.PatchStrategy.JsonPatch),
      ),
    ).rejects.toMatchObject({ code: 422 });
    await waitFor('beta rolled out', async () => {
      const d = await apps.readNamespacedDeployment({ namespace: NS, name: 'beta' });
      return (
        d.status?.observedGeneration === 3 && d.status.updatedReplicas === 1 && d.status.availableReplicas === 1 && d.status.replicas === 1
      );
    });
  });

  it('rolls out a restart with Recreate: Terminating, gone, Pending, Running, Ready; watch sees it in order', async () => {
    const before = await readyPod(kc, NS, 'alpha');
    const oldName = before.metadata!.name!;
    const list = await core.listNamespacedPod({ namespace: NS });
    const seen: string[] = [];
    const deploySeen: Array<{ gen?: number; obs?: number; reason?: string; avail?: string }> = [];
    const watch = new k8s.Watch(kc);
    const podWatch = await watch.watch(
      `/api/v1/namespaces/${NS}/pods`,
      { labelSelector: 'app.kubernetes.io/component=alpha', resourceVersion: list.metadata!.resourceVersion },
      (type, pod: k8s.V1Pod) => {
        const ready = pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
        const state = pod.metadata?.deletionTimestamp ? 'Terminating' : `${pod.status?.phase}${ready ? '+Ready' : ''}`;
        seen.push(`${type} ${pod.metadata!.name === oldName ? 'old' : 'new'} ${state}`);
      },
      () => undefined,
    );
    const depWatch = await watch.watch(
      `/apis/apps/v1/namespaces/${NS}/deployments`,
      { fieldSelector: 'metadata.name=alpha' },
      (_type, d: k8s.V1Deployment) =>
        deploySeen.push({
          gen: d.metadata?.generation,
          obs: d.status?.observedGeneration,
          reason: d.status?.conditions?.find((c) => c.type === 'Progressing')?.reason,
          avail: d.status?.conditions?.find((c) => c.type === 'Available')?.status,
        }),
      () => undefined,
    );
    // What `kubectl rollout restart` sends.
    await apps.patchNamespacedDeployment(
      {
        namespace: NS,
        name: 'alpha',
        fieldManager: 'kubectl-rollout',
        body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    const done = await waitFor('rollout complete', async () => {
      const d = await apps.readNamespacedDeployment({ namespace: NS, name: 'alpha' });
      const s = d.status!;
      const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app.kubernetes.io/component=alpha' });
      const ok =
        s.observedGeneration! >= d.metadata!.generation! &&
        s.updatedReplicas === 1 &&
        s.readyReplicas === 1 &&
        s.availableReplicas === 1 &&
        s.replicas === 1 &&
        pods.items.length === 1;
      return ok ? { d, pods } : undefined;
    });
    podWatch.abort();
    depWatch.abort();
    expect(done.d.metadata!.generation).toBe(2);
    expect(done.pods.items[0].metadata!.name).not.toBe(oldName);
    expect(done.pods.items[0].metadata!.annotations!['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
    const order = [
      'MODIFIED old Terminating',
      'DELETED old Terminating',
      'ADDED new Pending',
      'MODIFIED new Running',
      'MODIFIED new Running+Ready',
    ];
    const idx = order.map((o) => seen.indexOf(o));
    expect(
      idx.every((i) => i >= 0),
      seen.join('\n'),
    ).toBe(true);
    expect([...idx].sort((a, b) => a - b)).toEqual(idx);
    expect(deploySeen.some((s) => s.gen === 2 && s.avail === 'False')).toBe(true);
    expect(deploySeen.at(-1)).toMatchObject({ gen: 2, obs: 2, reason: 'NewReplicaSetAvailable', avail: 'True' });
  });

  it('watch with a label selector sees objects move in and out of the selection', async () => {
    const pod = await readyPod(kc, 'conf-b', 'gamma');
    const name = pod.metadata!.name!;
    const events: string[] = [];
    const ctl = await new k8s.Watch(kc).watch(
      '/api/v1/namespaces/conf-b/pods',
      { labelSelector: 'watched=yes' },
      (type, p: k8s.V1Pod) => events.push(`${type} ${p.metadata!.name}`),
      () => undefined,
    );
    const label = (v: string | null) =>
      core.patchNamespacedPod(
        { namespace: 'conf-b', name, body: { metadata: { labels: { watched: v } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
    await label('yes');
    await waitFor('ADDED', async () => events.includes(`ADDED ${name}`));
    await label(null);
    await waitFor('DELETED', async () => events.includes(`DELETED ${name}`));
    ctl.abort();
    expect(events).toEqual([`ADDED ${name}`, `DELETED ${name}`]);
  });

  it('replaces a deleted pod', async () => {
    const pod = await readyPod(kc, 'conf-b', 'gamma');
    await core.deleteNamespacedPod({ namespace: 'conf-b', name: pod.metadata!.name! });
    const next = await readyPod(kc, 'conf-b', 'gamma');
    expect(next.metadata!.name).not.toBe(pod.metadata!.name);
  });

  it('serves pod logs with tailLines, timestamps, sinceSeconds and follow', async () => {
    const pod = await readyPod(kc, NS, 'alpha');
    const name = pod.metadata!.name!;
    const all = await core.readNamespacedPodLog({ namespace: NS, name, container: 'openab' });
    expect(all).toMatch(/INFO openab::session: session started for thread \d+/);
    expect(all).toMatch(/codex-acp spawned/);
    const tail = await core.readNamespacedPodLog({ namespace: NS, name, tailLines: 2, timestamps: true });
    const lines = tail.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z /);
    expect(await core.readNamespacedPodLog({ namespace: NS, name, sinceSeconds: 1, tailLines: 0 })).toBe('');
    await expect(core.readNamespacedPodLog({ namespace: NS, name, container: 'nope' })).rejects.toMatchObject({ code: 400 });
    await expect(core.readNamespacedPodLog({ namespace: NS, name, previous: true })).rejects.toMatchObject({ code: 400 });
    const log = new k8s.Log(kc);
    const chunks: string[] = [];
    const sink = new (await import('node:stream')).Writable({
      write(c, _e, cb) {
        chunks.push(String(c));
        cb();
      },
    });
    const ended = new Promise<void>((r) => sink.on('finish', () => r()));
    await log.log(NS, name, 'openab', sink, { follow: true, tailLines: 1 });
    await waitFor('followed lines to grow', async () => chunks.join('').split('\n').length > 3, 10_000);
    // The stream ends when the pod goes away.
    await core.deleteNamespacedPod({ namespace: NS, name, gracePeriodSeconds: 0 });
    await ended;
  });
});

describe('access', () => {
  it('answers self access reviews from the RBAC rules', async () => {
    const review = async (
      user: 'viewer' | 'support' | 'operator' | 'dashboard',
      verb: string,
      resource: string,
      subresource?: string,
      group = '',
    ) => {
      const api = kubeConfig(cluster, user).makeApiClient(k8s.AuthorizationV1Api);
      const r = await api.createSelfSubjectAccessReview({
        body: { spec: { resourceAttributes: { namespace: NS, verb, group, resource, subresource } } },
      });
      return r.status!.allowed;
    };
    expect(await review('viewer', 'list', 'pods')).toBe(true);
    expect(await review('viewer', 'create', 'pods', 'exec')).toBe(false);
    expect(await review('support', 'create', 'pods', 'exec')).toBe(true);
    expect(await review('support', 'patch', 'deployments', undefined, 'apps')).toBe(false);
    expect(await review('operator', 'patch', 'deployments', undefined, 'apps')).toBe(true);
    expect(await review('dashboard', 'get', 'secrets')).toBe(true);
    expect(await review('dashboard', 'delete', 'pods')).toBe(false);
  });

  it('denies with the real 403 message and 401 for an unknown token', async () => {
    const viewerApps = kubeConfig(cluster, 'viewer').makeApiClient(k8s.AppsV1Api);
    try {
      await viewerApps.patchNamespacedDeployment(
        { namespace: NS, name: 'alpha', body: { metadata: { labels: { x: 'y' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      expect.unreachable();
    } catch (err) {
      expect(statusCode(err)).toBe(403);
      expect(statusBody(err)).toMatchObject({
        reason: 'Forbidden',
        message: `deployments.apps "alpha" is forbidden: User "viewer" cannot patch resource "deployments" in API group "apps" in the namespace "${NS}"`,
      });
    }
    const viewerCore = kubeConfig(cluster, 'viewer').makeApiClient(k8s.CoreV1Api);
    await expect(viewerCore.listNamespacedSecret({ namespace: NS })).rejects.toMatchObject({ code: 403 });
    const bad = kubeConfig(cluster);
    bad.users = bad.users.map((u) => (u.name === 'admin' ? { ...u, token: 'not-a-token' } : u));
    await expect(bad.makeApiClient(k8s.CoreV1Api).listNamespace()).rejects.toMatchObject({ code: 401 });
  });

  it('honours impersonation only for identities allowed to impersonate', async () => {
    const asViewer = kubeConfig(cluster, 'dashboard');
    asViewer.users = asViewer.users.map((u) => (u.name === 'dashboard' ? { ...u, impersonateUser: 'viewer' } : u));
    const review = await asViewer.makeApiClient(k8s.AuthorizationV1Api).createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { namespace: NS, verb: 'get', resource: 'secrets' } } },
    });
    expect(review.status!.allowed).toBe(false);
    // The dashboard's own identity may read secrets; as "viewer" it may not.
    await expect(asViewer.makeApiClient(k8s.CoreV1Api).readNamespacedSecret({ namespace: NS, name: 'alpha' })).rejects.toMatchObject({
      code: 403,
    });
    expect((await asViewer.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: NS })).items.length).toBeGreaterThan(0);

    const res = await rawFetch(cluster, cluster.tokens.viewer, `/api/v1/namespaces/${NS}/pods`, {
      headers: { 'Impersonate-User': 'admin' },
    });
    expect(res.status).toBe(403);
    expect(res.json.message).toBe(
      'users "admin" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
  });

  it('replaces the policy at runtime from Kubernetes RBAC objects', async () => {
    const put = (body: unknown) => rawFetch(cluster, cluster.tokens.admin, '/_devcluster/rbac', { method: 'PUT', body });
    const original = (await rawFetch(cluster, cluster.tokens.admin, '/_devcluster/rbac')).json;
    expect((await rawFetch(cluster, cluster.tokens.viewer, '/_devcluster/rbac')).status).toBe(403);
    const r = await put([
      { kind: 'Role', metadata: { name: 'r', namespace: NS }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }] },
      {
        kind: 'RoleBinding',
        metadata: { name: 'rb', namespace: NS },
        roleRef: { kind: 'Role', name: 'r' },
        subjects: [{ kind: 'User', name: 'viewer' }],
      },
    ]);
    expect(r.status).toBe(200);
    const viewerCore = kubeConfig(cluster, 'viewer').makeApiClient(k8s.CoreV1Api);
    expect((await viewerCore.listNamespacedSecret({ namespace: NS })).items.length).toBeGreaterThan(0);
    await expect(viewerCore.listNamespacedSecret({ namespace: 'conf-b' })).rejects.toMatchObject({ code: 403 });
    await expect(viewerCore.listNamespacedPod({ namespace: NS })).rejects.toMatchObject({ code: 403 });
    expect((await put(original)).status).toBe(200);
    expect((await viewerCore.listNamespacedPod({ namespace: NS })).items.length).toBeGreaterThan(0);
    // POST adds to the policy instead of replacing it; DELETE restores the default.
    const add = await rawFetch(cluster, cluster.tokens.admin, '/_devcluster/rbac', {
      method: 'POST',
      body: {
        bindings: [
          {
            subjects: [{ kind: 'User', name: 'viewer' }],
            namespace: 'conf-b',
            rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['gamma'] }],
          },
        ],
      },
    });
    expect(add.status).toBe(200);
    expect((await viewerCore.readNamespacedSecret({ namespace: 'conf-b', name: 'gamma' })).metadata!.name).toBe('gamma');
    await expect(viewerCore.readNamespacedSecret({ namespace: 'conf-b', name: 'other' })).rejects.toMatchObject({ code: 403 });
    expect((await viewerCore.listNamespacedPod({ namespace: NS })).items.length).toBeGreaterThan(0);
    expect((await rawFetch(cluster, cluster.tokens.admin, '/_devcluster/rbac', { method: 'DELETE' })).status).toBe(200);
    await expect(viewerCore.readNamespacedSecret({ namespace: 'conf-b', name: 'gamma' })).rejects.toMatchObject({ code: 403 });
  });
});
