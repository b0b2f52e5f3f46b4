// The product says things in words: changes in history and audit as sentences (never JSON), a
// refused page says why, a viewer's disabled approval form shows the current mode, and times are
// relative with the exact time on hover (no raw ISO strings on the page).
import { expect, test, type Page } from '@playwright/test';
import { signIn } from './support/session';
import { seededAgents } from './support/seed-truth';

const CLUSTER = encodeURIComponent('dashboard@devcluster');
const href = (a: { namespace: string; name: string }) => `/agents/${CLUSTER}/${a.namespace}/${a.name}`;
const RAW_ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/;

/** A healthy agent on Auto-review that the other specs' approval tests leave alone. */
async function agentOnAutoReview() {
  const truth = (await seededAgents()).filter((a) => a.codex && !a.crashLooping && a.configLoads && a.approval === 'auto-review');
  const agent = truth.find((a) => a.name !== 'openab-codex') ?? truth[0];
  if (!agent) throw new Error('the seed has no healthy agent on Auto-review');
  return agent;
}

async function chooseMode(page: Page, label: 'Manual' | 'Auto-review') {
  const form = page.getByTestId('approval-form');
  await form.getByRole('radio', { name: new RegExp(`^${label}`) }).check();
  await form.getByRole('button', { name: 'Save approval mode' }).click();
  await expect(page.getByTestId('approval-message')).toContainText(`is now on ${label}`);
}

test('history and audit write a change as a sentence, never as JSON', async ({ page }) => {
  test.setTimeout(120_000);
  const agent = await agentOnAutoReview();
  await signIn(page, 'operator');
  await page.goto(href(agent));
  await expect(page.getByTestId('approval-current')).toHaveText('Auto-review');
  await chooseMode(page, 'Manual');
  await page.reload();
  await chooseMode(page, 'Auto-review');
  await page.reload();

  const own = page.getByTestId('agent-history').locator('[data-testid="history-entry"][data-action="approval-mode"]');
  await expect(own.first()).toContainText('Changed approval mode from Manual to Auto-review.');
  await expect(own.nth(1)).toContainText('Changed approval mode from Auto-review to Manual.');
  for (const text of await page.getByTestId('history-entry').allTextContents()) expect(text).not.toMatch(/[{}]|"\w+":/);

  await page.goto(`/audit?agent=${encodeURIComponent(`dashboard@devcluster/${agent.namespace}/${agent.name}`)}`);
  const rows = page.getByRole('table').getByTestId('audit-row');
  await expect(rows.filter({ hasText: 'Changed approval mode from Manual to Auto-review.' }).first()).toBeVisible();
  await page.goto('/audit');
  await expect(rows.first()).toBeVisible();
  for (const text of await rows.allTextContents()) expect(text).not.toMatch(/[{}]|"\w+":/);
});

for (const [path, notice] of [
  ['/deliveries', 'Deliveries needs the Support role; you are signed in as Viewer.'],
  ['/audit', 'Audit needs the Operator role; you are signed in as Viewer.'],
] as const) {
  test(`a viewer sent away from ${path} is told why, and may dismiss the notice`, async ({ page }) => {
    await signIn(page, 'viewer');
    await page.goto(path);
    await expect(page).toHaveURL(/\/\?refused=/);
    const status = page.getByRole('status').filter({ hasText: notice });
    await expect(status).toBeVisible();
    await status.getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.getByText(notice)).toHaveCount(0);
    await expect(page).not.toHaveURL(/refused=/);
  });
}

test('an unknown refused page in the URL shows no notice', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto('/?refused=%3Cscript%3E');
  await expect(page.getByRole('heading', { level: 1, name: 'Codex fleet' })).toBeVisible();
  await expect(page.getByText(/needs the \w+ role; you are signed in/)).toHaveCount(0);
});

test("a viewer's disabled approval form shows the agent's current mode and why it is disabled", async ({ page }) => {
  const agent = await agentOnAutoReview();
  await signIn(page, 'viewer');
  await page.goto(href(agent));
  const form = page.getByTestId('approval-form');
  await expect(form.getByTestId('approval-current')).toHaveText('Auto-review');
  const current = form.getByRole('radio', { name: /^Auto-review/ });
  await expect(current).toBeChecked();
  await expect(current).toBeDisabled();
  await expect(form.getByRole('button', { name: 'Save approval mode' })).toBeDisabled();
  await expect(form.getByTestId('approval-disabled-reason')).toContainText('needs the Operator role');
});

test('times are relative with the exact time on hover; no raw ISO time shows on any page', async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, 'admin');
  const agent = (await seededAgents()).find((x) => x.namespace === 'agents' && x.name === 'openab-codex')!;
  const seen: string[] = [];
  const look = async (where: string) => {
    // The pod's own log keeps its timestamps: it is the container's output, shown as written.
    const text = await page.locator('main').evaluate((main) => {
      const copy = main.cloneNode(true) as HTMLElement;
      copy.querySelectorAll('[data-testid="pod-log"]').forEach((e) => e.remove());
      return copy.textContent ?? '';
    });
    const raw = RAW_ISO.exec(text);
    if (raw) seen.push(`${where}: "${text.slice(Math.max(0, raw.index - 40), raw.index + 30)}"`);
    // Each time shown is a <time> whose hover title names the moment in full.
    for (const title of await page.locator('main time').evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''))) {
      if (!/\d/.test(title)) seen.push(`${where}: a time without its exact moment on hover`);
    }
  };
  for (const path of ['/', '/deliveries?show=done', '/audit', '/admin/sessions', '/images']) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();
    await look(path);
  }
  await page.goto(href(agent));
  await expect(page.getByTestId('panel-skeleton')).toHaveCount(0, { timeout: 45_000 });
  for (const name of ['Overview', 'Configuration', 'Login', 'Images', 'Activity']) {
    await page.getByRole('tab', { name }).click();
    await expect(page.getByRole('tabpanel', { name })).toBeVisible();
    await look(`agent page, ${name}`);
  }
  await context.close();
  expect(seen).toEqual([]);
});
