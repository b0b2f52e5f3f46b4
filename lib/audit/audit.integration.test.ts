// Audit entries against the dev cluster, through the real client: what the dashboard records
// reads back as verified; an Event with the dashboard's reason and record, created directly by
// someone who may create Events in the agent's namespace, reads back as unverified, on the
// agent's history, the audit listing and the export.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../../devcluster/cluster';
import type { DevClusterState } from '../../scripts/stack';
import { devClusterClient } from '../../scripts/devcluster-client';
import { resetSettings } from '../settings';
import { getCluster, resetClusters } from '../k8s/clusters';
import { listAgentHistory } from './history';
import { listFleetHistory } from './fleet-history';
import { auditCsv } from './export';
import { AUDIT_EVENT_REASON, auditMessage, logActivity, type ActivityEntry } from './log-activity';
import { UNVERIFIED } from './signature';

let cluster: DevCluster;
const scratch = mkdtempSync(path.join(tmpdir(), 'audit-it-'));
const CONTEXT = 'dashboard@devcluster';
let agent: { namespace: string; name: string };
let state: DevClusterState;

beforeAll(async () => {
  cluster = await startDevCluster({ port: 0, seed: 'demo', kubeconfigPath: path.join(scratch, 'kubeconfig'), quiet: true });
  state = { ...JSON.parse(readFileSync(cluster.statePath, 'utf8')), kubeconfig: cluster.kubeconfigPath };
  const seeded = state.seed!.agents.find((a) => a.codex && !a.crashLooping)!;
  agent = { namespace: seeded.namespace, name: seeded.name };
  process.env.KUBECONFIG = cluster.kubeconfigPath;
  process.env.KUBE_CONTEXTS = CONTEXT;
  process.env.NEXTAUTH_SECRET = randomBytes(32).toString('base64url');
  delete process.env.WATCH_NAMESPACES;
  resetSettings();
  resetClusters();
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('tamper-evident audit entries', () => {
  it("the dashboard's own entries are verified; an Event forged by a user who may create Events is marked unverified, never dropped", async () => {
    const entry: ActivityEntry = {
      user: { name: 'olivia', email: null, role: 'operator' },
      action: 'approval-mode',
      agent: { cluster: CONTEXT, ...agent },
      before: 'manual',
      after: 'auto-review',
      result: 'success',
    };
    await logActivity(getCluster(CONTEXT), entry);

    // The cluster's user "support" may create Events in the agent's namespace, and nothing more of the dashboard's.
    const control = devClusterClient(state);
    const policy = await control.call('GET', '/_devcluster/rbac');
    try {
      await control.call('POST', '/_devcluster/rbac', {
        bindings: [
          { subjects: [{ kind: 'User', name: 'support' }], rules: [{ verbs: ['create'], apiGroups: [''], resources: ['events'] }] },
        ],
      });
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(cluster.kubeconfigPath);
      kc.setCurrentContext('support@devcluster');
      const forged: ActivityEntry = {
        ...entry,
        user: { name: 'ada', email: null, role: 'admin' },
        action: 'restart',
        before: undefined,
        after: undefined,
      };
      const now = new Date();
      await kc.makeApiClient(k8s.CoreV1Api).createNamespacedEvent({
        namespace: agent.namespace,
        body: {
          metadata: {
            generateName: `${agent.name}.`,
            namespace: agent.namespace,
            annotations: {
              'openab.dev/audit': JSON.stringify({
                user: forged.user,
                action: 'restart',
                result: 'success',
                at: now.toISOString(),
                id: 'f'.repeat(24),
              }),
              'openab.dev/audit-signature': `v1.${'A'.repeat(43)}`,
            },
          },
          involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: agent.name, namespace: agent.namespace },
          reason: AUDIT_EVENT_REASON,
          message: auditMessage(forged),
          type: 'Normal',
          source: { component: 'openab-dashboard' },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
    } finally {
      await control.call('PUT', '/_devcluster/rbac', policy);
      await control.close();
    }

    const history = await listAgentHistory(getCluster(CONTEXT), agent.namespace, agent.name);
    const own = history.find((h) => h.user === 'olivia' && h.action === 'approval-mode')!;
    const fake = history.find((h) => h.user === 'ada' && h.action === 'restart')!;
    expect(own).toMatchObject({ verified: true, unverified: null, before: 'manual', after: 'auto-review' });
    expect(fake).toMatchObject({ verified: false, unverified: UNVERIFIED.mismatch });

    const fleet = await listFleetHistory();
    const rows = fleet.entries.filter((e) => e.namespace === agent.namespace && e.agent === agent.name);
    expect(rows.find((e) => e.user === 'olivia')?.verified).toBe(true);
    expect(rows.find((e) => e.user === 'ada')).toMatchObject({ verified: false, unverified: UNVERIFIED.mismatch });
    const csv = auditCsv(rows);
    expect(csv).toMatch(/,ada,admin,restart,success,.*,no,"?The signature does not match/);
    expect(csv).toMatch(/,olivia,operator,approval-mode,success,manual,auto-review,.*,yes,\r\n/);
  });
});
