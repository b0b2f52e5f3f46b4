// The chart's Roles as the dashboard identity's only rules in the dev cluster, with the
// production build on top: the agent page works under them, and with one rule taken out
// (get pods/log in one namespace) the page says which permission is missing instead of failing.
// Needs a production build (NEXT_DIST_DIR or .next) and Chromium; skipped without them.
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartRbacForStack } from '../../../scripts/helm';
import { devClusterClient } from '../../../scripts/devcluster-client';
import { startStack, type DevClusterState, type Stack } from '../../../scripts/stack';

const root = path.resolve(__dirname, '../../..');
const distDir = process.env.NEXT_DIST_DIR || '.next';
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const runnable = existsSync(path.join(root, distDir, 'BUILD_ID')) && existsSync(chromiumPath);
const PASSWORD = 'chart-rbac-password';
const SA = 'system:serviceaccount:openab-dashboard:openab-dashboard';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

type Obj = Record<string, any>;

/** The dashboard's rules replaced by `objects`; every other identity keeps its own. */
async function loadDashboardRules(cluster: DevClusterState, objects: Obj[]): Promise<void> {
  const client = devClusterClient(cluster);
  try {
    const current = await client.call<{ bindings: Array<{ subjects: Array<{ kind: string; name: string; namespace?: string }> }> }>(
      'GET',
      '/_devcluster/rbac',
    );
    const mine = (s: { kind: string; name: string; namespace?: string }) =>
      `system:serviceaccount:${s.namespace ?? 'default'}:${s.name}` === SA && s.kind === 'ServiceAccount';
    await client.call('PUT', '/_devcluster/rbac', objects);
    await client.call('POST', '/_devcluster/rbac', { bindings: current.bindings.filter((b) => !b.subjects.some(mine)) });
  } finally {
    await client.close();
  }
}

describe.skipIf(!runnable)('the chart’s Roles in the dev cluster', () => {
  let stack: Stack;
  let objects: Obj[];
  let browser: Browser;
  let page: Page;
  let stateDir: string;

  beforeAll(async () => {
    const port = await freePort();
    stateDir = path.join(root, '.devcluster', `chart-rbac-${port}`);
    let rendered: Obj[] = [];
    stack = await startStack({
      stateDir,
      port,
      demoPassword: PASSWORD,
      rbac: async (c) => {
        const r = await chartRbacForStack(c);
        rendered = r.objects as Obj[];
        return r;
      },
    });
    objects = rendered;
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu'] });
    page = await browser.newPage({ baseURL: stack.url });
    await page.goto('/signin');
    await page.getByLabel('User name').fill('support');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByTestId('current-user').waitFor();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  const agentIn = (ns: string) => stack.cluster.seed!.agents.find((a) => a.codex && !a.crashLooping && a.namespace === ns)!;
  // The log is on the agent page's Activity tab.
  const open = (a: { namespace: string; name: string }) =>
    page.goto(`/agents/${encodeURIComponent('dashboard@devcluster')}/${a.namespace}/${a.name}?tab=activity`);

  it('the agent page shows the log under the chart’s rules', async () => {
    const a = agentIn('agents');
    await open(a);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(a.name);
    await page.getByTestId('pod-log').waitFor();
    expect(await page.getByTestId('log-disabled').count()).toBe(0);
  });

  it('without get pods/log in one namespace, its agents say so and the other namespace keeps its log', async () => {
    const ns = 'agents';
    const withoutLog = objects.map((o) =>
      o.kind === 'Role' && o.metadata.namespace === ns
        ? { ...o, rules: (o.rules as Obj[]).filter((r) => !(r.resources as string[]).includes('pods/log')) }
        : o,
    );
    expect(JSON.stringify(withoutLog)).not.toEqual(JSON.stringify(objects));
    await loadDashboardRules(stack.cluster, withoutLog);
    try {
      await open(agentIn(ns));
      await expect
        .poll(() => page.getByTestId('log-disabled').textContent(), { timeout: 15_000 })
        .toContain(`The cluster does not allow the dashboard to get pods/log in ${ns}.`);
      expect(await page.getByTestId('pod-log').count()).toBe(0);
      await open(agentIn('team-b'));
      await page.getByTestId('pod-log').waitFor();
      expect(await page.getByTestId('log-disabled').count()).toBe(0);
    } finally {
      await loadDashboardRules(stack.cluster, objects);
    }
  });
});
