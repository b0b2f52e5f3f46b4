// The overview's views worth sharing: filters, sort, search, view and page in the URL (reload,
// a copied link and back/forward reproduce them; nonsense in the URL is ignored), the table
// view sorted by keyboard, the choice of view remembered per person, bulk approval mode with
// each agent's own result under a person's Kubernetes RBAC, and no sideways scroll at 390 px.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { signIn } from './support/session';
import { cluster } from './support/env';
import { seededAgents } from './support/seed-truth';
import { startImpersonatingServer } from './support/impersonating-server';
import { actionEntries, CLUSTER_ID, fillTemplate } from './support/trust';

const shownAgents = (page: Page) => page.locator('[data-testid="agent-card"], [data-testid="agent-row"]');
const agentNames = async (list: Locator) => list.evaluateAll((els) => els.map((e) => e.getAttribute('data-agent') ?? ''));

test('filters, sort and search live in the URL: reload, a copied link and back/forward reproduce the view', async ({ page, browser }) => {
  await signIn(page, 'viewer');
  await page.goto('/');
  const all = await shownAgents(page).count();
  expect(all).toBeGreaterThan(3);

  await page.getByLabel('Namespace').selectOption('team-b');
  await expect(page).toHaveURL(/[?&]ns=team-b/);
  await page.getByLabel('Sort by').selectOption('version');
  await expect(page).toHaveURL(/[?&]sort=version/);
  await page.getByLabel('Search agents').fill('team-b');
  await expect(page).toHaveURL(/[?&]q=team-b/);
  const filtered = await agentNames(shownAgents(page));
  expect(filtered.length).toBeGreaterThan(0);
  expect(filtered.length).toBeLessThan(all);
  expect(filtered.every((n) => n.startsWith('team-b/'))).toBe(true);

  await page.reload();
  await expect(page.getByLabel('Namespace')).toHaveValue('team-b');
  await expect(page.getByLabel('Sort by')).toHaveValue('version');
  await expect(page.getByLabel('Search agents')).toHaveValue('team-b');
  await expect.poll(() => agentNames(shownAgents(page))).toEqual(filtered);

  // A copied link shows someone else the same view.
  const link = page.url();
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await signIn(otherPage, 'support');
  await otherPage.goto(link);
  await expect(otherPage.getByLabel('Namespace')).toHaveValue('team-b');
  await expect.poll(() => agentNames(shownAgents(otherPage))).toEqual(filtered);
  await other.close();

  // Back undoes the last choice (the search typed replaced its entry; sort is the one before).
  await page.goBack();
  await expect(page).not.toHaveURL(/sort=version/);
  await expect(page.getByLabel('Sort by')).toHaveValue('attention');
  await expect(page.getByLabel('Namespace')).toHaveValue('team-b');
  await page.goForward();
  await expect(page.getByLabel('Sort by')).toHaveValue('version');

  // Nonsense in the URL is ignored, each parameter on its own.
  await page.goto('/?ns=%00%3Cscript%3E&state=bogus&approval=manual&page=-3&size=7&sort=rm%20-rf&dir=sideways&view=grid');
  await expect(page.getByLabel('Namespace')).toHaveValue('all');
  await expect(page.getByLabel('State')).toHaveValue('all');
  await expect(page.getByLabel('Approval mode', { exact: true })).toHaveValue('manual');
  await expect(page.getByLabel('Sort by')).toHaveValue('attention');
  await expect(page.getByRole('navigation', { name: 'Pages' })).toContainText('Page 1 of 1');
  await expect(shownAgents(page).first()).toBeVisible();
});

test('the table sorts by its column headers from the keyboard, with aria-sort and the sort in the URL', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto('/?view=table');
  const table = page.getByRole('table', { name: 'Agents' });
  await expect(table).toBeVisible();
  const header = table.getByRole('columnheader', { name: /^Agent/ });
  await expect(header).toHaveAttribute('aria-sort', 'none');

  await header.getByRole('button').focus();
  await page.keyboard.press('Enter');
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  await expect(page).toHaveURL(/[?&]sort=name(&|$)/);
  const names = async () => (await agentNames(table.getByTestId('agent-row'))).map((n) => n.split('/')[1]);
  const ascending = await names();
  expect(ascending).toEqual([...ascending].sort((a, b) => a.localeCompare(b)));

  await page.keyboard.press('Space');
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  await expect(page).toHaveURL(/[?&]dir=desc/);
  await expect.poll(names).toEqual([...ascending].reverse());

  // Another column takes the sort over; the one before says it no longer sorts.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(table.getByRole('columnheader', { name: /^Namespace/ })).toHaveAttribute('aria-sort', 'ascending');
  await expect(header).toHaveAttribute('aria-sort', 'none');
  await page.reload();
  await expect(page.getByRole('table', { name: 'Agents' }).getByRole('columnheader', { name: /^Namespace/ })).toHaveAttribute(
    'aria-sort',
    'ascending',
  );
});

test('the choice of cards or table is remembered per person, and a view= link wins', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto('/');
  await expect(page.getByTestId('agent-card').first()).toBeVisible();
  await page.getByRole('radiogroup', { name: 'View' }).getByRole('radio', { name: 'Table' }).click();
  await expect(page.getByRole('table', { name: 'Agents' })).toBeVisible();

  await page.goto('/');
  await expect(page.getByRole('table', { name: 'Agents' })).toBeVisible();
  await expect(page.getByRole('radio', { name: 'Table' })).toHaveAttribute('aria-checked', 'true');
  await page.goto('/?view=cards');
  await expect(page.getByTestId('agent-card').first()).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);

  // Someone else in the same browser has their own choice; the first person still has theirs.
  const overviewAs = async (user: string) => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/signin/);
    await signIn(page, user);
    await page.goto('/');
  };
  await overviewAs('support');
  await expect(page.getByTestId('agent-card').first()).toBeVisible();
  await expect(page.getByRole('table')).toHaveCount(0);
  await overviewAs('viewer');
  await expect(page.getByRole('table', { name: 'Agents' })).toBeVisible();
});

test('no sideways scroll at 390 px, in cards and table, light and dark', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'viewer');
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const view of ['cards', 'table']) {
      await page.goto(`/?view=${view}`);
      await expect(shownAgents(page).first()).toBeVisible();
      const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(sideways, `${view}, ${scheme}: the page scrolls sideways by ${sideways}px`).toBeLessThanOrEqual(0);
    }
  }
  // The table keeps its columns and scrolls inside its own box.
  const scroller = page.getByTestId('fleet-table-scroller');
  expect(await scroller.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
});

test('bulk approval mode: each agent gets its own result, and the one the person may not change says why', async ({ browser }) => {
  test.setTimeout(180_000);
  const truth = (await seededAgents()).filter((a) => a.codex && !a.crashLooping && a.configLoads);
  // One agent the operator's group may change (exec in team-b), one it may not (exec in agents).
  const allowed = truth.find((a) => a.namespace === 'team-b' && a.approval === 'auto-review');
  const refused = truth.find((a) => a.namespace === 'agents' && a.approval === 'manual');
  if (!allowed || !refused) throw new Error('the seed lacks the agents this test needs');
  const control = cluster();
  const original = await control.call<object>('GET', '/_devcluster/rbac');
  const read = {
    verbs: ['get', 'list', 'watch'],
    apiGroups: ['', 'apps'],
    resources: ['pods', 'pods/log', 'events', 'deployments', 'replicasets', 'namespaces', 'configmaps'],
  };
  await control.call('POST', '/_devcluster/rbac', {
    bindings: [
      { subjects: [{ kind: 'Group', name: 'dashboard:operator' }], rules: [read] },
      {
        subjects: [{ kind: 'Group', name: 'dashboard:operator' }],
        namespace: 'team-b',
        rules: [{ verbs: ['get', 'create'], apiGroups: [''], resources: ['pods/exec'] }],
      },
    ],
  });
  let server: Awaited<ReturnType<typeof startImpersonatingServer>> | null = null;
  try {
    server = await startImpersonatingServer(Number(process.env.E2E_PORT ?? 3100) + 3);
    const context = await browser.newContext({ baseURL: server.url });
    const page = await context.newPage();
    await signIn(page, 'operator');
    await page.goto('/?view=table');
    const table = page.getByRole('table', { name: 'Agents' });
    const row = (a: { namespace: string; name: string }) => table.locator(`[data-agent="${a.namespace}/${a.name}"]`);
    await expect(row(allowed)).toBeVisible();

    const setMode = async (agents: Array<{ namespace: string; name: string }>, mode: 'Manual' | 'Auto-review') => {
      const clear = page.getByRole('button', { name: 'Clear', exact: true });
      if (await clear.isEnabled()) await clear.click();
      for (const a of agents)
        await row(a)
          .getByRole('checkbox', { name: `Select ${a.namespace}/${a.name}` })
          .check();
      await expect(page.getByTestId('selected-count')).toHaveText(`${agents.length} selected`);
      await page.getByLabel('Mode to set on the selected agents').selectOption({ label: mode });
      await page.getByRole('button', { name: 'Set approval mode…' }).click();
      const dialog = page.getByRole('dialog', { name: `Set ${agents.length} agent${agents.length === 1 ? '' : 's'} to ${mode}?` });
      await expect(dialog).toBeVisible();
      for (const a of agents) await expect(dialog.getByRole('list', { name: 'Changes' })).toContainText(`${a.namespace}/${a.name}`);
      await dialog.getByRole('button', { name: `Set ${mode}` }).click();
      await expect(dialog).toBeHidden({ timeout: 60_000 });
    };

    await setMode([allowed, refused], 'Manual');
    await expect(page.getByTestId('bulk-approval-summary')).toContainText('1 of 2 agents on Manual, 1 not changed');
    await expect(row(allowed).getByTestId('bulk-approval-result')).toHaveAttribute('data-ok', 'true');
    await expect(row(allowed).getByTestId('bulk-approval-result')).toContainText('Now on Manual');
    await expect(row(refused).getByTestId('bulk-approval-result')).toHaveAttribute('data-ok', 'false');
    await expect(row(refused).getByTestId('bulk-approval-result')).toContainText(
      /does not allow your Kubernetes identity \(dashboard:operator\).* in agents/,
    );
    // The overview refreshes to the new mode.
    await expect(row(allowed).getByTestId('approval-mode')).toHaveText('Manual', { timeout: 30_000 });

    // Put it back as seeded.
    await setMode([allowed], 'Auto-review');
    await expect(row(allowed).getByTestId('bulk-approval-result')).toContainText('Now on Auto-review');
    await context.close();
  } finally {
    server?.stop();
    await control.call('PUT', '/_devcluster/rbac', original);
    await control.close();
  }
});

test('the bulk approval action checks the role and its input on the server, whatever the page offers', async ({ page }) => {
  const [agent] = (await seededAgents()).filter((a) => a.codex);
  const action = actionEntries((t) => fillTemplate(t, agent)).find((a) => a.name === 'bulkApprovalModeAction');
  if (!action) throw new Error('bulkApprovalModeAction is not in the build');
  const call = (input: unknown) =>
    page.request
      .post(action.page, {
        headers: { 'Next-Action': action.id, 'Content-Type': 'text/plain;charset=UTF-8' },
        data: JSON.stringify([input]),
      })
      .then((r) => r.text());
  const ref = { clusterId: CLUSTER_ID, namespace: agent.namespace, name: agent.name };
  await signIn(page, 'viewer');
  expect(await call({ agents: [ref], mode: 'manual' })).toContain('needs the Operator role');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signin/);
  await signIn(page, 'operator');
  expect(await call({ agents: [ref], mode: 'yolo' })).toContain('Unknown approval mode');
  expect(await call({ agents: Array.from({ length: 101 }, (_, i) => ({ ...ref, name: `agent-${i}` })), mode: 'manual' })).toContain(
    'at most 100',
  );
  expect(await call({ agents: [], mode: 'manual' })).toContain('Select at least one agent');
});
