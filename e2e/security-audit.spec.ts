// Forged history: someone allowed to create Events in an agent's namespace writes one with the
// dashboard's reason and record, straight to the cluster. The audit page, the agent's history
// and the audit export show it marked "unverified" with the reason, while the entries the
// dashboard recorded itself (an operator's approval-mode change, made here) show as verified.
import * as k8s from '@kubernetes/client-node';
import { expect, test, type Page } from '@playwright/test';
import { signIn } from './support/session';
import { cluster, e2eState } from './support/env';
import { seededAgents } from './support/seed-truth';

const CLUSTER = 'dashboard@devcluster';
const FORGER = 'forged-admin-' + Date.now().toString(36);
let agent: { namespace: string; name: string };
let savedPolicy: unknown;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  // An agent the other specs leave alone, in Auto-review.
  const agents = (await seededAgents()).filter((a) => a.codex && !a.crashLooping && a.approval === 'auto-review' && a.agentKey === 'codex');
  const seeded = agents.find((a) => a.name !== 'openab-codex') ?? agents[0];
  agent = { namespace: seeded.namespace, name: seeded.name };

  // The cluster user "support" may create Events in every namespace, as many Roles allow.
  const control = cluster();
  try {
    savedPolicy = await control.call('GET', '/_devcluster/rbac');
    await control.call('POST', '/_devcluster/rbac', {
      bindings: [{ subjects: [{ kind: 'User', name: 'support' }], rules: [{ verbs: ['create'], apiGroups: [''], resources: ['events'] }] }],
    });
  } finally {
    await control.close();
  }
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(e2eState().cluster.kubeconfig);
  kc.setCurrentContext('support@devcluster');
  const now = new Date();
  await kc.makeApiClient(k8s.CoreV1Api).createNamespacedEvent({
    namespace: agent.namespace,
    body: {
      metadata: {
        generateName: `${agent.name}.`,
        namespace: agent.namespace,
        labels: { 'app.kubernetes.io/managed-by': 'openab-dashboard' },
        annotations: {
          'openab.dev/audit': JSON.stringify({ user: { name: FORGER, role: 'admin' }, action: 'restart', result: 'success' }),
        },
      },
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: agent.name, namespace: agent.namespace },
      reason: 'OpenABDashboardAction',
      message: `${FORGER} (admin): restart success`,
      type: 'Normal',
      source: { component: 'openab-dashboard' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    },
  });
});

test.afterAll(async () => {
  const control = cluster();
  try {
    if (savedPolicy) await control.call('PUT', '/_devcluster/rbac', savedPolicy);
  } finally {
    await control.close();
  }
});

const agentPage = () => `/agents/${encodeURIComponent(CLUSTER)}/${agent.namespace}/${agent.name}`;

async function chooseMode(page: Page, label: 'Manual' | 'Auto-review') {
  const form = page.getByTestId('approval-form');
  await form.getByRole('radio', { name: new RegExp(`^${label}`) }).check();
  await form.getByRole('button', { name: 'Save approval mode' }).click();
  await expect(page.getByTestId('approval-message')).toContainText(`is now on ${label}`);
}

test("a forged Event shows as unverified on the agent's history and the audit page; the dashboard's own entries as verified", async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'operator');
  await page.goto(agentPage());
  await expect(page.getByTestId('approval-current')).toHaveText('Auto-review');
  await chooseMode(page, 'Manual');
  await page.reload();
  await chooseMode(page, 'Auto-review');
  await page.reload();

  const history = page.getByTestId('agent-history');
  const forged = history.getByTestId('history-entry').filter({ hasText: FORGER });
  await expect(forged).toHaveCount(1);
  await expect(forged).toHaveAttribute('data-verified', 'no');
  await expect(forged.getByTestId('unverified')).toContainText('unverified');
  await expect(forged.getByTestId('unverified-reason')).toContainText('Not signed by this dashboard');
  const own = history.locator('[data-testid="history-entry"][data-action="approval-mode"]');
  await expect(own.first()).toContainText('Changed approval mode from Manual to Auto-review.');
  await expect(own.first()).toHaveAttribute('data-verified', 'yes');
  await expect(own.nth(1)).toHaveAttribute('data-verified', 'yes');
  await expect(own.first().getByTestId('unverified')).toHaveCount(0);

  await page.goto(`/audit?agent=${encodeURIComponent(`${CLUSTER}/${agent.namespace}/${agent.name}`)}`);
  const rows = page.getByTestId('audit-row');
  const forgedRow = rows.filter({ hasText: FORGER });
  await expect(forgedRow).toHaveCount(1);
  await expect(forgedRow).toHaveAttribute('data-verified', 'no');
  await expect(forgedRow.getByTestId('unverified-reason')).toContainText('anyone allowed to create Events in this namespace');
  await expect(page.getByTestId('audit-unverified-note')).toContainText('unverified');
  const ownRows = page.locator('[data-testid="audit-row"][data-action="approval-mode"]');
  expect(await ownRows.count()).toBeGreaterThanOrEqual(2);
  for (const v of await ownRows.evaluateAll((els) => els.map((e) => e.getAttribute('data-verified')))) expect(v).toBe('yes');
});

test('the audit export says of each entry whether it is verified, and why not', async ({ page }) => {
  await signIn(page, 'admin');
  const agentKey = encodeURIComponent(`${CLUSTER}/${agent.namespace}/${agent.name}`);
  const json = await (await page.request.get(`/api/audit/export?format=json&agent=${agentKey}`)).json();
  const forged = json.entries.filter((e: { user: string }) => e.user === FORGER);
  expect(forged).toHaveLength(1);
  expect(forged[0]).toMatchObject({ verified: false, unverified: expect.stringContaining('Not signed by this dashboard') });
  const own = json.entries.filter((e: { action: string }) => e.action === 'approval-mode');
  expect(own.length).toBeGreaterThanOrEqual(2);
  expect(own.every((e: { verified: boolean; unverified: string | null }) => e.verified && e.unverified === null)).toBe(true);
  const csv = await (await page.request.get(`/api/audit/export?format=csv&agent=${agentKey}`)).text();
  expect(csv.split('\r\n')[0]).toMatch(/,verified,unverified$/);
  expect(csv.split('\r\n').find((l) => l.includes(FORGER))).toMatch(/,no,"?Not signed by this dashboard/);
});
