import { expect, test } from '@playwright/test';
import { signIn } from './support/session';
import { APPROVAL_LABEL, seededAgents } from './support/seed-truth';

test.describe('fleet overview', () => {
  test.beforeEach(async ({ page }) => {
    await signIn(page, 'viewer');
  });

  test('shows the seeded truth for every Codex agent, and no other agent', async ({ page }) => {
    const truth = await seededAgents();
    const codex = truth.filter((a) => a.codex);
    await expect(page.getByTestId('agent-card')).toHaveCount(codex.length);
    for (const other of truth.filter((a) => !a.codex)) {
      await expect(page.locator(`[data-agent="${other.namespace}/${other.name}"]`)).toHaveCount(0);
    }
    for (const a of codex) {
      const card = page.locator(`[data-agent="${a.namespace}/${a.name}"]`);
      await expect(card, a.name).toBeVisible();
      if (a.crashLooping) {
        await expect(card.getByTestId('agent-problem')).toContainText('crash-looping');
        continue;
      }
      const login = card.getByTestId('login-state');
      if (a.login === 'chatgpt') await expect(login).toContainText(`ChatGPT ${a.email} (${a.plan})`);
      if (a.login === 'expiring') await expect(login).toContainText('expires soon');
      if (a.login === 'expired') await expect(login).toContainText('expired');
      if (a.login === 'apikey') await expect(login).toHaveText(`API key ${a.apiKeyMasked}`);
      if (a.login === 'none') await expect(login).toHaveText('Not logged in');
      if (a.login === 'unreadable') await expect(login).toHaveText('auth.json unreadable');
      if (a.configLoads) {
        await expect(card.getByTestId('approval-mode')).toHaveText(APPROVAL_LABEL[a.approval]);
        await expect(card.getByTestId('image-generation')).toHaveText(a.imageGeneration ? 'On' : 'Off');
      } else {
        await expect(card).toContainText('Codex:');
      }
      await expect(card.getByTestId('image-count')).toHaveText(String(a.images));
    }
  });

  test('puts agents that need attention first', async ({ page }) => {
    const cards = page.getByTestId('agent-card');
    await expect(cards.first()).toBeVisible();
    const flags = await cards.evaluateAll((els) => els.map((e) => e.className.includes('border-red')));
    const firstCalm = flags.indexOf(false);
    expect(flags.slice(firstCalm === -1 ? flags.length : firstCalm).every((f) => !f)).toBe(true);
    expect(flags[0]).toBe(true);
  });

  test('filters by namespace and state, and searches', async ({ page }) => {
    const truth = (await seededAgents()).filter((a) => a.codex);
    await page.getByLabel('Namespace').selectOption('team-b');
    await expect(page.getByTestId('agent-card')).toHaveCount(truth.filter((a) => a.namespace === 'team-b').length);
    await page.getByLabel('Namespace').selectOption('all');
    await page.getByLabel('State').selectOption('not-logged-in');
    const notLoggedIn = truth.filter((a) => a.login === 'none' && !a.crashLooping).length;
    await expect(page.getByTestId('agent-card')).toHaveCount(notLoggedIn);
    await page.getByLabel('State').selectOption('all');
    const withEmail = truth.find((a) => a.login === 'chatgpt' && !a.crashLooping && a.email)!;
    await page.getByLabel('Search agents').fill(withEmail.email!);
    await expect(page.getByTestId('agent-card')).toHaveCount(1);
    await expect(page.getByTestId('agent-card')).toHaveAttribute('data-agent', `${withEmail.namespace}/${withEmail.name}`);
  });

  test('refreshes in place without losing the filters', async ({ page }) => {
    await page.getByLabel('Namespace').selectOption('agents');
    await expect(page).toHaveURL(/[?&]ns=agents\b/);
    const cards = page.getByTestId('agent-card');
    const namespaces = () => cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-agent')?.split('/')[0]));
    await expect.poll(async () => new Set(await namespaces())).toEqual(new Set(['agents']));
    const before = await cards.count();
    const refreshed = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/fleet' && r.status() === 200);
    // The refresh names the agents on screen: the dashboard keeps those freshest.
    const shown = new URL((await refreshed).url()).searchParams.getAll('shown');
    expect(shown).toHaveLength(before);
    expect(shown.every((key) => key.split('/')[1] === 'agents')).toBe(true);
    // Each answer carries the token of what it shows; the next refresh names it and waits on the
    // server until the fleet on screen changes.
    const { token } = (await (await refreshed).json()) as { token: string };
    expect(token).toMatch(/^[\w-]{10,}$/);
    const waiting = await page.waitForRequest(
      (r) => new URL(r.url()).pathname === '/api/fleet' && new URL(r.url()).searchParams.get('after') === token,
    );
    expect(new URL(waiting.url()).searchParams.getAll('shown')).toEqual(shown);
    const badToken = await page.request.get('/api/fleet?after=not%20a%20token');
    expect(badToken.status()).toBe(400);
    expect((await badToken.json()).error).toMatch(/after must be a token/);
    // A list that is not one is refused with the reason.
    const refused = await page.request.get(
      `/api/fleet?${new URLSearchParams(Array.from({ length: 101 }, (_, i) => ['shown', `c/n/a${i}`]))}`,
    );
    expect(refused.status()).toBe(400);
    expect((await refused.json()).error).toMatch(/at most 100 agents/);
    await expect(page.getByLabel('Namespace')).toHaveValue('agents');
    await expect(page.getByTestId('agent-card')).toHaveCount(before);
  });

  test('is usable with the keyboard: search, then open an agent', async ({ page }) => {
    const target = (await seededAgents()).find((a) => a.codex && !a.crashLooping)!;
    await page.getByLabel('Search agents').focus();
    await page.keyboard.type(target.name);
    await page.keyboard.press('Tab');
    const link = page.getByRole('link', { name: target.name, exact: true }).first();
    await link.focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(target.name);
  });

  test('fits a narrow screen', async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.reload();
    await expect(page.getByTestId('agent-card').first()).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
  });
});

test('several kubeconfig contexts appear as several clusters, with a switcher', async ({ page }) => {
  await signIn(page, 'viewer');
  const switcher = page.getByLabel('Cluster');
  await expect(switcher.locator('option')).toHaveText(['All clusters', 'dashboard@devcluster', 'dashboard@devcluster-b']);
  const all = await page.getByTestId('agent-card').count();
  expect(all).toBeGreaterThan(0);
  await switcher.selectOption('dashboard@devcluster-b');
  await expect(page.getByTestId('agent-card')).toHaveCount(0);
  await expect(page.getByText('No agent matches these filters.')).toBeVisible();
  await switcher.selectOption('dashboard@devcluster');
  await expect(page.getByTestId('agent-card')).toHaveCount(all);
});
