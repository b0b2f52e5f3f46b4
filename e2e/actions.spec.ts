// Operator actions in the browser against the production build and the demo cluster: restart
// with live progress, approval mode, image generation; a viewer sees them disabled and the
// server refuses a viewer's action even when called directly. Every change is undone at the
// end of its test, so the other specs still see the seeded fleet. Only agents keyed `codex`
// are used: they match the chart's default agent selector as well as the seed's wider one.
import { expect, test, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { signIn } from './support/session';

const CLUSTER = 'dashboard@devcluster';
const href = (ns: string, name: string) => `/agents/${encodeURIComponent(CLUSTER)}/${ns}/${name}`;

function actionId(exportedName: string): string {
  const file = path.resolve(__dirname, '..', process.env.NEXT_DIST_DIR || '.next', 'server/server-reference-manifest.json');
  expect(existsSync(file)).toBe(true);
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { node: Record<string, { exportedName?: string; filename?: string }> };
  const hit = Object.entries(manifest.node).find(([, v]) => v.exportedName === exportedName && /actions\.ts$/.test(v.filename ?? ''));
  if (!hit) throw new Error(`no server action ${exportedName} in the build`);
  return hit[0];
}

async function callAction(page: Page, name: string, input: unknown): Promise<string> {
  const res = await page.request.post('/', {
    headers: { 'Next-Action': actionId(name), 'Content-Type': 'text/plain;charset=UTF-8' },
    data: JSON.stringify([input]),
  });
  return res.text();
}

async function chooseMode(page: Page, label: 'Manual' | 'Auto-review' | 'Full access') {
  const form = page.getByTestId('approval-form');
  await form.getByRole('radio', { name: new RegExp(`^${label}`) }).check();
  await form.getByRole('button', { name: 'Save approval mode' }).click();
  await expect(page.getByTestId('approval-message')).toContainText(`is now on ${label}`);
}

test.describe('operator actions', () => {
  test('an operator restarts an agent and follows it to ready, across a reload', async ({ page }) => {
    const [ns, name] = ['team-b', 'team-b-openab-codex'];
    await signIn(page, 'operator');
    await page.goto(href(ns, name));
    const actions = page.getByRole('region', { name: 'Actions' });
    await actions.getByRole('button', { name: 'Restart agent' }).click();
    const dialog = page.getByRole('dialog', { name: `Restart ${ns}/${name}?` });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('Recreate');
    await expect(dialog).toContainText('offline');
    // Escape cancels without restarting.
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    await expect(actions.getByTestId('rollout-progress')).toHaveCount(0);

    await actions.getByRole('button', { name: 'Restart agent' }).click();
    await dialog.getByRole('button', { name: 'Restart', exact: true }).click();
    const progress = actions.getByTestId('rollout-progress');
    await expect(progress).toBeVisible();
    await expect(actions.getByRole('button', { name: 'Restarting…' })).toBeDisabled();
    const seen = new Set<string>([(await progress.getAttribute('data-phase')) ?? '']);

    // The progress is the Deployment's status: a reload picks it up.
    await page.reload();
    const again = page.getByRole('region', { name: 'Actions' }).getByTestId('rollout-progress');
    await expect(again).toBeVisible();
    for (let i = 0; i < 60 && (await again.getAttribute('data-done')) !== 'true'; i++) {
      seen.add((await again.getAttribute('data-phase')) ?? '');
      await page.waitForTimeout(250);
    }
    await expect(again).toHaveAttribute('data-phase', 'ready', { timeout: 30_000 });
    await expect(again.getByTestId('rollout-phase')).toHaveText('Restarted: ready');
    expect([...seen].some((p) => ['terminating-old', 'pending', 'starting'].includes(p))).toBe(true);

    await page.reload();
    const history = page.getByTestId('agent-history');
    await expect(history.getByTestId('history-entry').first()).toHaveAttribute('data-action', 'restart');
    await expect(history.getByTestId('history-entry').first()).toContainText('operator');
  });

  test('an operator switches an agent to Manual and back to Auto-review, and sees it after a reload and on its card', async ({ page }) => {
    const [ns, name] = ['agents', 'openab-codex'];
    await signIn(page, 'operator');
    await page.goto(href(ns, name));
    await expect(page.getByTestId('approval-current')).toHaveText('Auto-review');
    await chooseMode(page, 'Manual');
    await page.reload();
    await expect(page.getByTestId('approval-current')).toHaveText('Manual');
    await chooseMode(page, 'Auto-review');
    await expect(page.getByTestId('approval-message')).toContainText('new conversations use the new mode');
    await expect(page.getByRole('button', { name: 'Restart now to apply it everywhere' })).toBeVisible();

    await page.reload();
    await expect(page.getByTestId('approval-current')).toHaveText('Auto-review');
    await expect(page.getByTestId('approval-mode')).toHaveText('Auto-review');
    await expect(page.getByTestId('history-entry').first()).toHaveAttribute('data-action', 'approval-mode');
    await expect(page.getByTestId('history-entry').first()).toContainText('Changed approval mode from Manual to Auto-review.');
    await expect(page.getByTestId('history-entry').nth(1)).toContainText('Changed approval mode from Auto-review to Manual.');

    await page.goto('/');
    await expect(page.locator(`[data-agent="${ns}/${name}"]`).getByTestId('approval-mode')).toHaveText('Auto-review');
  });

  test('a change made meanwhile is reported, and the choice stays in the form', async ({ browser }) => {
    const [ns, name] = ['agents', 'openab-codex'];
    const first = await browser.newPage();
    const second = await browser.newPage();
    await signIn(first, 'operator');
    await signIn(second, 'operator');
    await first.goto(href(ns, name));
    await second.goto(href(ns, name));
    await chooseMode(second, 'Full access');
    await first
      .getByTestId('approval-form')
      .getByRole('radio', { name: /^Manual/ })
      .check();
    await first.getByRole('button', { name: 'Save approval mode' }).click();
    await expect(first.getByTestId('approval-message')).toContainText('changed since this form was opened');
    await expect(first.getByTestId('approval-form').getByRole('radio', { name: /^Manual/ })).toBeChecked();
    await expect(first.getByTestId('approval-current')).toHaveText('Full access');
    // Saving again now compares against the file as it is.
    await chooseMode(first, 'Auto-review');
    await first.close();
    await second.close();
  });

  test('an operator toggles image generation on the overview card', async ({ page }) => {
    const [ns, name] = ['agents', 'openab-codex'];
    await signIn(page, 'operator');
    await page.goto('/');
    const card = page.locator(`[data-agent="${ns}/${name}"]`);
    const toggle = card.getByRole('switch', { name: `Image generation for ${ns}/${name}`, exact: true });
    await expect(card.getByTestId('image-generation')).toHaveText('On');
    await expect(toggle).toBeEnabled();
    await expect(toggle).toHaveAttribute('aria-checked', 'true');
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-checked', 'false');
    await expect(card.getByTestId('image-generation')).toHaveText('Off');
    await page.reload();
    await expect(card.getByTestId('image-generation')).toHaveText('Off');
    await card.getByRole('switch', { name: `Image generation for ${ns}/${name}`, exact: true }).click();
    await expect(card.getByTestId('image-generation')).toHaveText('On');
  });

  test('an operator restarts two agents selected on the overview, each with its own progress', async ({ page }) => {
    await signIn(page, 'operator');
    await page.goto('/');
    const picks = ['agents/openab-codex', 'team-b/team-b-openab-codex'];
    for (const key of picks) await page.getByRole('checkbox', { name: `Select ${key}`, exact: true }).check();
    await expect(page.getByTestId('selected-count')).toHaveText('2 selected');
    await page.getByRole('button', { name: 'Restart selected' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restart 2 agents?' });
    for (const key of picks) await expect(dialog).toContainText(key);
    await dialog.getByRole('button', { name: 'Restart all' }).click();
    const results = page.getByTestId('bulk-restart-results');
    for (const key of picks) {
      await expect(results.locator(`[data-agent="${key}"]`).getByTestId('rollout-progress')).toHaveAttribute('data-phase', 'ready', {
        timeout: 30_000,
      });
    }
  });

  test('a viewer sees the actions disabled with the reason, and the server refuses them', async ({ page }) => {
    const [ns, name] = ['agents', 'openab-codex'];
    await signIn(page, 'viewer');
    await page.goto(href(ns, name));
    const actions = page.getByRole('region', { name: 'Actions' });
    await expect(actions.getByRole('button', { name: 'Restart agent' })).toBeDisabled();
    await expect(actions.getByTestId('restart-disabled-reason')).toContainText('needs the Operator role');
    await expect(actions.getByRole('button', { name: 'Save approval mode' })).toBeDisabled();
    await expect(actions.getByTestId('approval-disabled-reason')).toContainText('needs the Operator role');
    await expect(actions.getByRole('switch', { name: `Image generation for ${ns}/${name}`, exact: true })).toBeDisabled();

    await page.goto('/');
    await expect(page.getByTestId('bulk-disabled-reason')).toContainText('needs the Operator role');
    await expect(page.getByRole('button', { name: 'Restart selected' })).toBeDisabled();
    await expect(page.locator(`[data-agent="${ns}/${name}"]`).getByRole('switch')).toBeDisabled();

    const ref = { clusterId: CLUSTER, namespace: ns, name };
    expect(
      await callAction(page, 'setApprovalModeAction', { ...ref, mode: 'full-access', baseHash: 'missing', replaceCustom: true }),
    ).toContain('needs the Operator role');
    expect(await callAction(page, 'setFeatureAction', { ...ref, feature: 'image_generation', enabled: true })).toContain(
      'needs the Operator role',
    );
    expect(await callAction(page, 'restartAgentAction', ref)).toContain('needs the Operator role');
    expect(await callAction(page, 'bulkRestartAction', { agents: [ref] })).toContain('needs the Operator role');
    await page.goto(href(ns, name));
    await expect(page.getByTestId('approval-mode')).toHaveText('Auto-review');
    await expect(page.getByTestId('history-entry').filter({ hasText: 'viewer' })).toHaveCount(0);
  });

  test('the actions fit a narrow screen', async ({ page }) => {
    await signIn(page, 'operator');
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(href('team-b', 'team-b-openab-codex'));
    await expect(page.getByTestId('approval-custom')).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
  });

  test('hostile feature names and unknown modes get a clear answer and change nothing', async ({ page }) => {
    await signIn(page, 'operator');
    const ref = { clusterId: CLUSTER, namespace: 'agents', name: 'openab-codex' };
    for (const feature of ['image_generation; rm -rf ~', '--help', '../x', 'іmage_generation']) {
      expect(await callAction(page, 'setFeatureAction', { ...ref, feature, enabled: true })).toContain('not a feature name');
    }
    expect(await callAction(page, 'setApprovalModeAction', { ...ref, mode: 'yolo', baseHash: 'missing' })).toContain(
      'Unknown approval mode',
    );
  });
});
