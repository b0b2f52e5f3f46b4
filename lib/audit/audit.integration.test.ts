// Audit entries against the dev cluster, through the real client: what the dashboard records
// reads back as verified; an Event with the dashboard's reason and record, created directly by
// someone who may create Events in the agent's namespace, reads back as unverified, on the
// agent's history, the audit listing and the export.
import { randomBytes } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';
import { kubeConfig } from '../../devcluster/conformance/helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCluster } from '../k8s/clusters';
import { DASHBOARD_CONTEXT, grant, startTestCluster, type TestCluster } from '../testing/devcluster';
import { listAgentHistory } from './history';
import { listFleetHistory } from './fleet-history';
import { auditCsv } from './export';
import { AUDIT_EVENT_REASON, auditMessage, logActivity, type ActivityEntry } from './log-activity';
import { UNVERIFIED } from './signature';

let testCluster: TestCluster;
const CONTEXT = DASHBOARD_CONTEXT;
let agent: { namespace: string; name: string };

beforeAll(async () => {
  testCluster = await startTestCluster('audit', { seed: 'demo' });
  const seeded = testCluster.state.seed!.agents.find((a) => a.codex && !a.crashLooping)!;
  agent = { namespace: seeded.namespace, name: seeded.name };
  testCluster.pointApp({ NEXTAUTH_SECRET: randomBytes(32).toString('base64url'), WATCH_NAMESPACES: undefined });
}, 180_000);

afterAll(async () => {
  await testCluster?.stop();
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
    const { control } = testCluster;
    const policy = await control.call('GET', '/_devcluster/rbac');
    try {
      await grant(control, [{ kind: 'User', name: 'support' }], [{ verbs: ['create'], apiGroups: [''], resources: ['events'] }]);
      const kc = kubeConfig(testCluster.cluster, 'support');
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
