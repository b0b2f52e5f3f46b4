// Faults from the dev cluster's knobs, seen in the browser: the pages still render, with the
// error where it happened, and no config.toml is left changed.
import { expect, test } from '@playwright/test';
import { signIn } from './support/session';
import { cluster } from './support/env';
import { seededAgents } from './support/seed-truth';
import { configIntact, fillTemplate, readPodConfigs } from './support/trust';

test.describe.configure({ mode: 'serial' });

test.afterEach(async () => {
  const control = cluster();
  await control.knobs({ latencyMs: 0, execLatencyMs: 0, faults: [], execFault: null });
  await control.close();
});

test('the overview renders every agent from what it knows while execs are dropped, and no config is harmed', async ({ page }) => {
  const before = await readPodConfigs();
  const codex = (await seededAgents()).filter((a) => a.codex);
  await signIn(page, 'viewer');
  const control = cluster();
  // Probes run in the background and pages show what was last read, with its age: dropped execs
  // cost a refresh, never the page.
  await control.knobs({ execFault: { kind: 'drop', count: 3 } });
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Codex fleet' })).toBeVisible();
  await expect(page.getByTestId('agent-card')).toHaveCount(codex.length);
  await expect(
    page
      .getByTestId('login-state')
      .filter({ hasText: /ChatGPT|API key/ })
      .first(),
  ).toBeVisible();
  // The keeper's next refreshes take the dropped execs.
  await expect
    .poll(async () => (await control.call<{ execFault: { count?: number } | null }>('GET', '/_devcluster/knobs')).execFault?.count ?? 0, {
      timeout: 60_000,
    })
    .toBe(0);
  await control.close();
  await page.reload();
  await expect(page.getByTestId('agent-card')).toHaveCount(codex.length);
  const after = await readPodConfigs();
  for (const [agent, now] of after) expect(configIntact(now, before.get(agent)), agent).toEqual({ ok: true });
});

test('a refresh that fails keeps the facts shown and says so, on the card and on the agent page', async ({ page }) => {
  test.setTimeout(120_000);
  const [agent] = (await seededAgents()).filter((a) => a.codex && !a.crashLooping && a.configLoads);
  await signIn(page, 'viewer');
  await page.goto('/');
  const card = page.locator(`[data-testid="agent-card"][data-agent="${agent.namespace}/${agent.name}"]`);
  await expect(card.getByTestId('login-state')).not.toHaveText('—');
  const control = cluster();
  // Every exec refused from now on: the keeper's next refresh of this agent fails.
  await control.knobs({ faults: [{ pathRegex: '/exec', status: 500 }] });
  await control.close();
  await expect(card.getByTestId('probe-failure')).toContainText('The last check failed', { timeout: 60_000 });
  // The facts stay, with the reason beside them.
  await expect(card.getByTestId('login-state')).not.toHaveText('—');
  await page.goto(fillTemplate('/agents/[cluster]/[namespace]/[name]', agent));
  await expect(page.getByRole('status').filter({ hasText: 'The last check of this pod failed' })).toBeVisible();
  await expect(page.getByTestId('agent-problem')).toHaveCount(0);
});

test('an agent page renders its panels when reading Events fails', async ({ page }) => {
  const [agent] = (await seededAgents()).filter((a) => a.codex && !a.crashLooping);
  await signIn(page, 'operator');
  const control = cluster();
  await control.knobs({ faults: [{ pathRegex: '/events', verb: 'list', status: 500 }] });
  await page.goto(`${fillTemplate('/agents/[cluster]/[namespace]/[name]', agent)}?tab=activity`);
  await expect(page.getByRole('heading', { name: agent.name, exact: false }).first()).toBeVisible();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByRole('alert')).toContainText(/API failed \(500\)/);
  await control.close();
});
