// Real fleets in the browser: an agent configured the way OpenAB's Codex guide says is flagged for
// what it is and repaired with one action, and an agent on Codex 0.121 (which knows the reviewer
// only as guardian_subagent) takes Auto-review from the form. Each test puts the agent's
// config.toml back as it found it, so the other specs still see the seeded fleet.
import { expect, test } from '@playwright/test';
import { parse } from 'smol-toml';
import { signIn } from './support/session';
import { agentPod, execAsAdmin } from './support/cluster-admin';
import { seededAgents } from './support/seed-truth';
import type { SeedAgent } from '../devcluster/seed/types';

const CLUSTER = 'dashboard@devcluster';
const href = (a: SeedAgent) => `/agents/${encodeURIComponent(CLUSTER)}/${a.namespace}/${a.name}`;
const READ = 'cat "${CODEX_HOME:-$HOME/.codex}/config.toml"';
const WRITE = 'printf %s "$1" > "${CODEX_HOME:-$HOME/.codex}/config.toml"';

async function configOf(a: SeedAgent): Promise<string> {
  return (await execAsAdmin(a.namespace, await agentPod(a), ['sh', '-c', READ])).out;
}

async function putConfig(a: SeedAgent, text: string): Promise<void> {
  expect((await execAsAdmin(a.namespace, await agentPod(a), ['sh', '-c', WRITE, 'put', text])).code).toBe(0);
}

test.describe('real fleets', () => {
  test("an agent configured per OpenAB's guide is flagged on its card, page and checklist, and repaired with one action", async ({
    page,
  }) => {
    const agent = (await seededAgents()).find((a) => a.approval === 'guide-sandbox' && !a.crashLooping)!;
    const before = await configOf(agent);
    try {
      await signIn(page, 'operator');
      // The card says what Codex makes of it.
      await page.goto('/');
      const card = page.getByTestId('agent-card').filter({ hasText: agent.name }).first();
      await expect(card.getByTestId('approval-guide-mistake')).toContainText(
        '[sandbox] ignored by Codex: this agent is not on Auto-review',
      );

      await page.goto(href(agent));
      const form = page.getByTestId('approval-guide-mistake-form');
      await expect(form).toContainText('Codex ignores that table: this agent is not on Auto-review');
      await expect(page.locator('[data-testid="readiness-item"][data-check="approval-mode"]')).toContainText('Codex ignores that table');
      await form.getByRole('button', { name: 'Repair: switch to Auto-review' }).click();
      await expect(page.getByTestId('approval-message')).toContainText('is now on Auto-review');
      await expect(page.getByTestId('approval-current')).toHaveText('Auto-review');

      // What Codex reads now: the real keys, and no [sandbox] table.
      const after = parse(await configOf(agent)) as Record<string, unknown>;
      expect(after).toMatchObject({ approval_policy: 'on-request' });
      expect(['auto_review', 'guardian_subagent']).toContain(after.approvals_reviewer);
      expect(after).not.toHaveProperty('sandbox');
      await page.reload();
      await expect(page.getByTestId('approval-guide-mistake-form')).toHaveCount(0);
      await expect(page.getByTestId('approval-mode')).toHaveText('Auto-review');
    } finally {
      await putConfig(agent, before);
    }
  });

  test('an operator sets Auto-review on a Codex 0.121 agent, and its Codex accepts it', async ({ page }) => {
    const agent = (await seededAgents()).find(
      (a) => a.codexVersion === '0.121.0' && a.approval !== 'auto-review' && !a.crashLooping && a.configLoads,
    )!;
    const before = await configOf(agent);
    try {
      await signIn(page, 'operator');
      await page.goto(href(agent));
      const form = page.getByTestId('approval-form');
      await form.getByRole('radio', { name: /^Auto-review/ }).check();
      await form.getByRole('button', { name: 'Save approval mode' }).click();
      // A custom setting is replaced only when confirmed.
      if (agent.approval === 'custom')
        await page
          .getByRole('dialog')
          .getByRole('button', { name: /^Replace with Auto-review/ })
          .click();
      await expect(page.getByTestId('approval-message')).toContainText('is now on Auto-review');
      // Written with the only name 0.121 knows; its Codex (which checked the file) still starts.
      expect(parse(await configOf(agent))).toMatchObject({ approval_policy: 'on-request', approvals_reviewer: 'guardian_subagent' });
      await page.reload();
      await expect(page.getByTestId('approval-mode')).toHaveText('Auto-review');
      await expect(page.getByText('Codex cannot start with this configuration')).toHaveCount(0);
    } finally {
      await putConfig(agent, before);
    }
  });
});
