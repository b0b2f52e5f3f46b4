// The agent page streams and fits: the header and actions before a slow probe, sections in
// tabs (keyboard and URL), a searchable folded features table, no sideways scroll at 390 px,
// error.tsx when the page's read fails, and each object read once per view.
import { expect, test } from '@playwright/test';
import { signIn } from './support/session';
import { sidewaysScroll } from './support/sideways';
import { cluster, E2E } from './support/env';
import { startReplica } from './support/replica';
import { seededAgents } from './support/seed-truth';

test.describe.configure({ mode: 'serial' });

const href = (a: { namespace: string; name: string }) => `/agents/${encodeURIComponent('dashboard@devcluster')}/${a.namespace}/${a.name}`;
const healthy = async () => (await seededAgents()).find((a) => a.codex && !a.crashLooping && a.configLoads)!;
const TAB_NAMES = ['Overview', 'Configuration', 'Login', 'Images', 'Activity'];

test.afterEach(async () => {
  const control = cluster();
  await control.knobs({ latencyMs: 0, execLatencyMs: 0, faults: [], execFault: null });
  await control.close();
});

test('with a slowed probe, the header and the actions show before the panels that wait on the pod', async ({ page }) => {
  const agent = await healthy();
  await signIn(page, 'operator');
  const control = cluster();
  const EXEC_LATENCY_MS = 8_000;
  await control.knobs({ execLatencyMs: EXEC_LATENCY_MS });
  await control.close();
  const started = Date.now();
  await page.goto(href(agent), { waitUntil: 'commit' });
  // Before: the page awaited every panel (probe, approval form, login view) before sending a byte.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(agent.name, { timeout: EXEC_LATENCY_MS / 2 });
  const actions = page.getByRole('region', { name: 'Actions' });
  await expect(actions.getByRole('button', { name: 'Restart agent' })).toBeEnabled({ timeout: EXEC_LATENCY_MS / 2 });
  expect(Date.now() - started).toBeLessThan(EXEC_LATENCY_MS);
  // The panels that wait on the pod say they are loading, then fill in.
  await expect(page.getByRole('status', { name: 'Loading Approval mode' })).toBeVisible();
  await expect(page.getByTestId('approval-form')).toBeVisible({ timeout: 45_000 });
  await expect(page.getByTestId('login-state')).not.toBeEmpty({ timeout: 45_000 });
});

test('sections are tabs: by keyboard, and by the URL', async ({ page }) => {
  const agent = await healthy();
  await signIn(page, 'support');
  await page.goto(`${href(agent)}?tab=activity`);
  const tablist = page.getByRole('tablist', { name: 'Agent sections' });
  await expect(tablist.getByRole('tab')).toHaveText(TAB_NAMES);
  const activity = tablist.getByRole('tab', { name: 'Activity' });
  await expect(activity).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tabpanel', { name: 'Activity' }).getByRole('region', { name: 'Recent events' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Pods' })).toBeHidden();

  // Arrow keys move and select (wrapping), Home and End jump; only the selected tab is in the tab order.
  await activity.focus();
  await page.keyboard.press('ArrowRight');
  const overview = tablist.getByRole('tab', { name: 'Overview' });
  await expect(overview).toBeFocused();
  await expect(overview).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('region', { name: 'Pods' })).toBeVisible();
  await expect(page).toHaveURL(/\?tab=overview$/);
  await page.keyboard.press('ArrowRight');
  await expect(tablist.getByRole('tab', { name: 'Configuration' })).toBeFocused();
  await expect(page.getByRole('tabpanel', { name: 'Configuration' })).toBeVisible();
  await page.keyboard.press('End');
  await expect(activity).toBeFocused();
  await page.keyboard.press('Home');
  await expect(overview).toBeFocused();
  await page.keyboard.press('ArrowLeft');
  await expect(activity).toHaveAttribute('aria-selected', 'true');
  await expect(tablist.locator('[tabindex="0"]')).toHaveCount(1);

  // A shared link opens its section, by ?tab= (after a reload too) or by #hash.
  await page.reload();
  await expect(activity).toHaveAttribute('aria-selected', 'true');
  await page.goto(`${href(agent)}#login`);
  await expect(tablist.getByRole('tab', { name: 'Login' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('region', { name: 'Codex login' })).toBeVisible();
});

test('the features table is folded to a summary, searchable, and shows all on request', async ({ page }) => {
  const agent = await healthy();
  await signIn(page, 'support');
  await page.goto(`${href(agent)}?tab=configuration`);
  const features = page.getByRole('region', { name: /^Features \(\d+\)$/ });
  const title = await features.getByRole('heading').textContent();
  const total = Number(/\((\d+)\)/.exec(title ?? '')?.[1]);
  expect(total).toBeGreaterThan(100);
  await expect(features.getByTestId('feature-summary')).toContainText(`${total} features:`);
  const rows = features.getByRole('table', { name: 'Features' }).locator('tbody tr');
  expect(await rows.count()).toBeLessThan(total);
  expect(await rows.count()).toBeGreaterThan(0);

  const showAll = features.getByRole('button', { name: `Show all ${total} features` });
  await expect(showAll).toHaveAttribute('aria-expanded', 'false');
  await showAll.click();
  await expect(rows).toHaveCount(total);
  await expect(features.getByRole('button', { name: 'Show fewer' })).toHaveAttribute('aria-expanded', 'true');

  await features.getByRole('searchbox', { name: 'Search features' }).fill('image_gen');
  await expect(rows.filter({ has: page.getByRole('cell', { name: 'image_generation', exact: true }) })).toHaveCount(1);
  expect(await rows.count()).toBeLessThan(5);
  for (const name of await rows.locator('td:first-child').allTextContents()) expect(name).toContain('image_gen');
  await features.getByRole('searchbox', { name: 'Search features' }).fill('no-such-feature-at-all');
  await expect(features.getByText('No feature matches.')).toBeVisible();
});

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no sideways scroll at 390 px, every section, ${colorScheme}`, async ({ browser }) => {
    const agent = await healthy();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme });
    const page = await context.newPage();
    await signIn(page, 'operator');
    await page.goto(href(agent));
    await expect(page.getByTestId('panel-skeleton')).toHaveCount(0, { timeout: 45_000 });
    expect(await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(colorScheme === 'dark');
    const found: string[] = [];
    for (const name of TAB_NAMES) {
      await page.getByRole('tab', { name }).click();
      await expect(page.getByRole('tabpanel', { name })).toBeVisible();
      found.push(...(await sidewaysScroll(page, name)));
    }
    await page.getByRole('tab', { name: 'Configuration' }).click();
    await page.getByRole('button', { name: /^Show all \d+ features$/ }).click();
    found.push(...(await sidewaysScroll(page, 'Configuration, every feature')));
    expect(found).toEqual([]);
    await context.close();
  });
}

test('when the agent cannot be read, error.tsx says what happened, what to do, and retries', async ({ page }) => {
  test.setTimeout(120_000);
  const agent = await healthy();
  const control = cluster();
  // Pages read agents from the dashboard's watch cache, so a dashboard that already filled it
  // keeps answering: the agent cannot be read by one that starts while the API server fails
  // every list of Deployments.
  await control.knobs({ faults: [{ pathRegex: '/deployments', verb: 'list', status: 500 }] });
  const replica = await startReplica(E2E.port + 23, { DEMO_PASSWORD: E2E.password });
  try {
    await page.goto(`${replica.url}/signin`);
    await page.getByLabel('User name').fill('viewer');
    await page.getByLabel('Password').fill(E2E.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByTestId('current-user')).toContainText('viewer');
    await page.goto(`${replica.url}${href(agent)}`);
    const alert = page.getByRole('alert').filter({ hasText: 'could not be loaded' });
    await expect(alert).toContainText('The agent page could not be loaded.');
    await expect(alert).toContainText('Retry; if it fails again');
    await control.knobs({ faults: [] });
    await alert.getByRole('button', { name: 'Retry' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(agent.name, { timeout: 30_000 });
    await expect(page.getByRole('region', { name: 'Actions' })).toBeVisible();
  } finally {
    await control.knobs({ faults: [] });
    await control.close();
    await replica.stop();
  }
});

test('one view of the agent page reads no Deployment or pod list (the watch cache has them) and asks the cluster about access once', async ({
  page,
}) => {
  const agent = await healthy();
  await signIn(page, 'operator');
  // The overview, where signing in lands, checks every agent's readiness (reading each Deployment):
  // let that finish, then leave it, so only the agent page is counted.
  await expect(page.locator('[data-testid="readiness-badge"][data-status="loading"]')).toHaveCount(0, { timeout: 45_000 });
  await page.goto('about:blank');
  const control = cluster();
  await control.resetStats();
  // The whole streamed document: every panel's reads, and no browser-side fetches after it.
  const res = await page.request.get(href(agent));
  expect(res.status()).toBe(200);
  const html = await res.text();
  expect(html).toContain('data-testid="approval-form"');
  const { byRequest } = await control.stats();
  await control.close();
  const count = (re: RegExp) => Object.entries(byRequest).reduce((n, [k, v]) => (re.test(k) ? n + v : n), 0);
  // The Deployment and its pods come from the dashboard's watch cache: no read at all (before
  // the cache: the Deployment 7 times, the pods 6); access is asked once (before: 7 times).
  expect(count(new RegExp(`^get apps/deployments ${agent.namespace}/${agent.name}$`)), JSON.stringify(byRequest)).toBe(0);
  expect(count(/^list (pods|apps\/deployments)\b/), JSON.stringify(byRequest)).toBe(0);
  expect(count(/selfsubject(access|rules)reviews/), JSON.stringify(byRequest)).toBe(1);
});
