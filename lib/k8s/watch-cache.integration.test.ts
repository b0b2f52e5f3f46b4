// The watch-fed cache against the dev cluster: pages read Deployments, Pods and Events without
// a list call once warm; the API server sees one watch per kind; a change arrives by the watch;
// a compaction with the watches dropped (an API server restart) is followed by a relist; and in
// impersonation mode nobody is served a cached object the cluster would not let them list.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevCluster } from '../../devcluster/cluster';
import { createAgent, kubeConfig, readyPod, waitFor } from '../../devcluster/conformance/helpers';
import { getCluster } from './clusters';
import {
  DASHBOARD_CONTEXT,
  grant,
  resetAppCaches,
  startTestCluster,
  type DevClusterControl,
  type TestCluster,
} from '../testing/devcluster';
import { listAgentWorkloads } from './agents';
import { listAgentEvents } from './events';
import { locateAgent } from './locator';
import { runWithIdentity } from './impersonation';

const CTX = DASHBOARD_CONTEXT;
const NS = 'cached';
let cluster: DevCluster;
let control: DevClusterControl;
let admin: k8s.KubeConfig;
let testCluster: TestCluster;

beforeAll(async () => {
  testCluster = await startTestCluster('watch-cache', { seed: 'empty', podReadyDelayMs: 200 });
  ({ cluster, control } = testCluster);
  admin = kubeConfig(cluster);
  await admin.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
  await createAgent(admin, NS, 'one', { 'app.kubernetes.io/component': 'codex' });
  await readyPod(admin, NS, 'codex');
  testCluster.pointApp({ AGENT_SELECTOR: 'app.kubernetes.io/name=openab,app.kubernetes.io/component=codex' });
}, 120_000);

afterAll(async () => {
  delete process.env.IMPERSONATION;
  await testCluster?.stop();
});

describe('the watch cache', () => {
  it('serves the fleet, an agent and its events with no request to the API server once warm', async () => {
    const c = getCluster(CTX);
    expect((await listAgentWorkloads(c)).map((w) => w.name)).toEqual(['one']);
    await listAgentEvents(c, NS, 'one', []);
    await control.resetStats();
    for (let i = 0; i < 5; i++) {
      await listAgentWorkloads(c);
      const located = await locateAgent({ clusterId: CTX, namespace: NS, name: 'one' });
      expect(located.pod?.name).toBeTruthy();
      await listAgentEvents(
        c,
        NS,
        'one',
        located.workload.pods.map((p) => p.name),
      );
    }
    expect((await control.stats()).requests).toBe(0);
    // Nothing changed: the very same list (what was derived from it is kept, lib/fleet/fleet.ts).
    expect(await listAgentWorkloads(c)).toBe(await listAgentWorkloads(c));
  });

  it('sees a change by its watch, and relists after the API server drops its watches and history', async () => {
    const c = getCluster(CTX);
    const apps = admin.makeApiClient(k8s.AppsV1Api);
    /** Labels the Deployment behind the dashboard's back, then waits for the dashboard to see the label. */
    const relabel = async (seen: string, what: string) => {
      await apps.patchNamespacedDeployment(
        { namespace: NS, name: 'one', body: { metadata: { labels: { seen } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await waitFor(
        what,
        async () => (await locateAgent({ clusterId: CTX, namespace: NS, name: 'one' })).deployment.metadata?.labels?.seen === seen,
      );
    };
    const before = await listAgentWorkloads(c);
    await relabel('first', 'the label to arrive by the watch');
    // A change makes a new list, with a new summary of what changed.
    const after = await listAgentWorkloads(c);
    expect(after).not.toBe(before);
    expect(after[0]).not.toBe(before[0]);
    await control.resetStats();
    await control.call('POST', '/_devcluster/compact', { closeWatches: true });
    await relabel('after-restart', 'the cache to relist and see the change');
    expect((await listAgentWorkloads(c)).map((w) => w.name)).toEqual(['one']);
    // One list and one watch per kind, not one per read.
    expect((await control.stats()).requests).toBeLessThan(20);
  });

  it('in impersonation mode, serves cached agents only to a person the cluster lets list them', async () => {
    process.env.IMPERSONATION = 'true';
    resetAppCaches();
    try {
      const nobody = { kind: 'user' as const, identity: { user: 'dashboard:nobody', groups: ['dashboard:nobody'] } };
      const viewer = { kind: 'user' as const, identity: { user: 'dashboard:viewer', groups: ['dashboard:viewer'] } };
      await grant(
        control,
        [{ kind: 'User', name: 'dashboard:viewer' }],
        [{ verbs: ['get', 'list', 'watch'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments', 'events'] }],
      );
      const c = getCluster(CTX);
      expect((await runWithIdentity(viewer, () => listAgentWorkloads(c))).map((w) => w.name)).toEqual(['one']);
      await expect(runWithIdentity(nobody, () => listAgentWorkloads(c))).rejects.toMatchObject({ kind: 'forbidden' });
      await expect(runWithIdentity(nobody, () => locateAgent({ clusterId: CTX, namespace: NS, name: 'one' }))).rejects.toMatchObject({
        status: 403,
      });
      await expect(runWithIdentity(nobody, () => listAgentEvents(c, NS, 'one', []))).rejects.toMatchObject({ kind: 'forbidden' });
    } finally {
      delete process.env.IMPERSONATION;
      resetAppCaches();
      await control.call('DELETE', '/_devcluster/rbac');
    }
  });
});
