import { expect, test } from '@playwright/test';
import { signIn } from './support/session';
import { APPROVAL_LABEL, seededAgents } from './support/seed-truth';

const href = (ns: string, name: string) => `/agents/${encodeURIComponent('dashboard@devcluster')}/${ns}/${name}`;

test.describe('agent page', () => {
  test('shows Codex state, approval keys, features, pods, events and the log', async ({ page }) => {
    const a = (await seededAgents()).find((x) => x.codex && !x.crashLooping && x.configLoads && x.login === 'chatgpt')!;
    await signIn(page, 'support');
    await page.goto(href(a.namespace, a.name));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(a.name);
    await expect(page.getByTestId('login-state')).toContainText(a.email!);
    await expect(page.getByTestId('approval-mode')).toHaveText(APPROVAL_LABEL[a.approval]);
    await expect(page.getByTestId('pod-detail').first()).toContainText('devcluster-node-1');
    await expect(page.getByTestId('pod-detail').first()).toContainText('openab');
    await page.getByRole('tab', { name: 'Configuration' }).click();
    await expect(page.getByRole('region', { name: 'Approval keys, as Codex reads them' })).toContainText('approval_policy');
    const features = page.getByTestId('feature-table');
    await page.getByRole('button', { name: /^Show all \d+ features$/ }).click();
    expect(await features.locator('tbody tr').count()).toBeGreaterThan(100);
    await page.getByLabel('Search features').fill('image_generation');
    const row = features.locator('tbody tr').filter({ has: page.getByRole('cell', { name: 'image_generation', exact: true }) });
    await expect(row).toHaveCount(1);
    await expect(row).toContainText('stable');
    expect(await features.locator('tbody tr').count()).toBeLessThan(5);
    await page.getByRole('tab', { name: 'Activity' }).click();
    await expect(page.getByTestId('events')).toBeVisible();
    await expect(page.getByTestId('pod-log')).not.toHaveText(/Loading|No log lines/);
  });

  test('follows the log live', async ({ page }) => {
    const a = (await seededAgents()).find((x) => x.codex && !x.crashLooping)!;
    await signIn(page, 'operator');
    await page.goto(`${href(a.namespace, a.name)}?tab=activity`);
    await page.getByLabel('Follow live').check();
    await expect(page.getByTestId('pod-log')).not.toHaveText('No log lines.', { timeout: 20_000 });
  });

  test('shows the previous container log of a crash-looping agent', async ({ page }) => {
    const a = (await seededAgents()).find((x) => x.codex && x.crashLooping)!;
    await signIn(page, 'support');
    await page.goto(href(a.namespace, a.name));
    await expect(page.getByTestId('agent-problem')).toContainText('crash-looping');
    await page.getByRole('tab', { name: 'Activity' }).click();
    const previous = page.getByLabel('Previous container');
    await expect(previous).toBeEnabled();
    await previous.check();
    await expect(page.getByTestId('pod-log')).not.toHaveText(/Loading|No log lines/);
  });

  test('a viewer sees the log disabled with the reason, and the server refuses it too', async ({ page }) => {
    const a = (await seededAgents()).find((x) => x.codex && !x.crashLooping)!;
    await signIn(page, 'viewer');
    await page.goto(href(a.namespace, a.name));
    await expect(page.getByTestId('log-disabled')).toContainText('needs the Support role');
    const res = await page.request.get(`/api${href(a.namespace, a.name)}/log?pod=whatever`);
    expect(res.status()).toBe(403);
  });

  test('an unknown agent says so in plain words', async ({ page }) => {
    await signIn(page, 'viewer');
    const res = await page.goto(href('agents', 'no-such-agent'));
    expect(res?.status()).toBe(404);
    await expect(page.getByRole('alert').filter({ hasText: /\S/ })).toContainText('Not found');
    await expect(page.getByRole('main').getByRole('link', { name: '← Fleet' })).toBeVisible();
  });

  test('shows Codex own error for a config.toml it cannot parse', async ({ page }) => {
    const a = (await seededAgents()).find((x) => x.codex && !x.configLoads)!;
    await signIn(page, 'viewer');
    await page.goto(href(a.namespace, a.name));
    await expect(page.getByText('Codex cannot start with this configuration')).toBeVisible();
  });
});
