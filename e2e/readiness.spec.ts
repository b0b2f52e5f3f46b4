// Delivery readiness in the browser against the demo stack: an agent whose channel denies the
// bot Attach Files shows which permission is missing; an operator installs the delivery skill
// and the checklist turns green for it; a viewer sees the install disabled with the reason.
// OpenAB's config is the agent's ConfigMap: the dashboard needs `get configmaps`, which the
// dev cluster's default rules do not grant it, so this spec grants it and takes it back.
import { expect, test } from '@playwright/test';
import { signIn } from './support/session';
import { agentPod, execAsAdmin } from './support/cluster-admin';
import { cluster } from './support/env';
import { seededAgents } from './support/seed-truth';
import type { SeedAgent } from '../devcluster/seed/types';

const CLUSTER = 'dashboard@devcluster';
// The readiness panel is in the agent page's Images section.
const href = (a: Pick<SeedAgent, 'namespace' | 'name'>) => `/agents/${encodeURIComponent(CLUSTER)}/${a.namespace}/${a.name}?tab=images`;
const DASHBOARD_SA = { kind: 'ServiceAccount', name: 'openab-dashboard', namespace: 'openab-dashboard' };

let savedPolicy: unknown;

/** Runs a fixed command in the agent's pod as the cluster admin (not through the dashboard). */
async function inPod(agent: SeedAgent, argv: string[]): Promise<string> {
  return (await execAsAdmin(agent.namespace, await agentPod(agent), argv)).out;
}

test.beforeAll(async () => {
  const control = cluster();
  try {
    savedPolicy = await control.call('GET', '/_devcluster/rbac');
    await control.call('POST', '/_devcluster/rbac', {
      bindings: [{ subjects: [DASHBOARD_SA], rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }] }],
    });
  } finally {
    await control.close();
  }
});

test.afterAll(async () => {
  const control = cluster();
  try {
    if (savedPolicy) await control.call('PUT', '/_devcluster/rbac', savedPolicy);
  } finally {
    await control.close();
  }
});

test('an agent whose channel denies Attach Files shows which permission is missing, on its page and its card', async ({ page }) => {
  const agent = (await seededAgents()).find((a) => a.codex && !a.crashLooping && a.name === 'team-b-openab-codex')!;
  await signIn(page, 'viewer');
  await page.goto(href(agent));
  const panel = page.getByTestId('readiness-panel');
  const permissions = panel.locator('[data-testid="readiness-item"][data-check="discord-permissions"]');
  // A refusal read before the grant above is remembered for a few seconds: reload past it.
  await expect(async () => {
    await page.reload();
    await expect(permissions).toHaveAttribute('data-status', 'fail', { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(permissions.getByTestId('readiness-reason')).toContainText('missing Attach Files');
  const channels = permissions.getByTestId('readiness-channel');
  await expect(channels).toHaveCount(agent.allowedChannels.length);
  await expect(permissions.locator(`[data-channel="${agent.allowedChannels[0]}"]`)).toHaveAttribute('data-status', 'fail');
  await expect(permissions.locator(`[data-channel="${agent.allowedChannels[1]}"]`)).toHaveAttribute('data-status', 'pass');
  // The token passes through inherit_env; the broken skill is listed with its problem.
  await expect(panel.locator('[data-check="upload-token"]')).toHaveAttribute('data-status', 'pass');
  await expect(panel.locator('[data-check="upload-token"]')).toContainText('inherit_env');
  const broken = panel.locator('[data-testid="skill-row"][data-skill="thumbnail-maker"]');
  await expect(broken).toHaveAttribute('data-valid', 'false');
  await expect(broken.getByTestId('skill-problems')).toContainText('not valid YAML');
  await expect(panel.locator('[data-testid="skill-row"][data-skill=".system/imagegen"]')).toContainText('system');

  await page.goto('/');
  const badge = page.locator(`[data-testid="agent-card"][data-agent="${agent.namespace}/${agent.name}"]`).getByTestId('readiness-badge');
  await expect(badge).toHaveAttribute('data-status', 'fail', { timeout: 30_000 });
  await expect(badge).toContainText('permissions');
  await expect(badge).toHaveAttribute('title', /missing Attach Files/);
});

test('a viewer sees the skill install disabled, with the reason', async ({ page }) => {
  const agent = (await seededAgents()).find((a) => a.codex && !a.crashLooping && a.skills.length === 0)!;
  await signIn(page, 'viewer');
  await page.goto(href(agent));
  const install = page.getByTestId('install-skill');
  await expect(install).toBeDisabled();
  await expect(page.getByTestId('install-skill-disabled-reason')).toContainText('needs the Operator role');
});

test('an operator installs the delivery skill and the checklist turns green for it', async ({ page }) => {
  const agent = (await seededAgents()).find(
    (a) => a.codex && !a.crashLooping && a.skills.length === 0 && a.tokenPassing !== 'none' && a.configLoads,
  )!;
  try {
    await signIn(page, 'operator');
    await page.goto(href(agent));
    const skill = page.locator('[data-testid="readiness-item"][data-check="delivery-skill"]');
    await expect(skill).toHaveAttribute('data-status', 'fail');
    await expect(page.getByTestId('skills-empty')).toBeVisible();
    await page.getByTestId('install-skill').click();
    await expect(page.getByTestId('install-skill-notice')).toContainText('Installed the delivery skill');
    await expect(skill).toHaveAttribute('data-status', 'pass');
    const row = page.locator('[data-testid="skill-row"][data-skill="discord-imagegen-deliver"]');
    await expect(row).toHaveAttribute('data-valid', 'true');
    await expect(row).toContainText('by dashboard');
    // Still green after a reload: it is the pod's state, not the page's.
    await page.reload();
    await expect(page.locator('[data-testid="readiness-item"][data-check="delivery-skill"]')).toHaveAttribute('data-status', 'pass');

    // A hand edit is not overwritten silently: the difference is shown first.
    await inPod(agent, [
      'sh',
      '-c',
      'H="${CODEX_HOME:-$HOME/.codex}"; printf "Hand-written note.\\n" >> "$H/skills/discord-imagegen-deliver/SKILL.md"',
    ]);
    await page.getByTestId('install-skill').click();
    const dialog = page.getByRole('dialog', { name: 'Replace the skill on the agent?' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('skill-diff')).toContainText('-Hand-written note.');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();
    expect(
      await inPod(agent, ['sh', '-c', 'H="${CODEX_HOME:-$HOME/.codex}"; cat "$H/skills/discord-imagegen-deliver/SKILL.md"']),
    ).toContain('Hand-written note.');
  } finally {
    await inPod(agent, [
      'sh',
      '-c',
      'H="${CODEX_HOME:-$HOME/.codex}"; rm -rf "$H/skills/discord-imagegen-deliver"; rmdir "$H/skills" 2>/dev/null; true',
    ]);
  }
});
