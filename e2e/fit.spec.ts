// Every page fits a 390 px phone: no sideways scroll (document.documentElement.scrollWidth <=
// clientWidth) on any page of the app, light and dark, each signed in with the role it needs.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { signIn } from './support/session';
import { sidewaysScroll } from './support/sideways';
import { seededAgents } from './support/seed-truth';

test.describe.configure({ mode: 'serial' });

const CLUSTER = encodeURIComponent('dashboard@devcluster');
const TAB_NAMES = ['Overview', 'Configuration', 'Login', 'Images', 'Activity'];

/** The demo seed's first agent: it holds the most images, so its gallery and a conversation are reachable. */
async function bigAgent() {
  const a = (await seededAgents()).find((x) => x.namespace === 'agents' && x.name === 'openab-codex')!;
  return `/agents/${CLUSTER}/${a.namespace}/${a.name}`;
}

async function phone(browser: Browser, colorScheme: 'light' | 'dark', role: string | null) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme });
  const page = await context.newPage();
  if (role) await signIn(page, role);
  return { page, close: () => context.close() };
}

async function visit(page: Page, path: string, ready: (page: Page) => Promise<void>, found: string[]) {
  await page.goto(path);
  await ready(page);
  found.push(...(await sidewaysScroll(page, path)));
}

const heading = (page: Page) => expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible();

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no page scrolls sideways at 390 px, ${colorScheme}`, async ({ browser }) => {
    test.setTimeout(240_000);
    const agent = await bigAgent();
    const found: string[] = [];

    const signedOut = await phone(browser, colorScheme, null);
    await visit(signedOut.page, '/signin', (p) => expect(p.getByLabel('User name')).toBeVisible(), found);
    expect(await signedOut.page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches)).toBe(colorScheme === 'dark');
    await signedOut.close();

    const viewer = await phone(browser, colorScheme, 'viewer');
    const page = viewer.page;
    await visit(page, '/', (p) => expect(p.locator('[data-testid="agent-card"], [data-testid="agent-row"]').first()).toBeVisible(), found);
    await visit(page, '/?view=table', (p) => expect(p.getByRole('table', { name: 'Agents' })).toBeVisible(), found);
    await visit(page, agent, (p) => expect(p.getByTestId('panel-skeleton')).toHaveCount(0, { timeout: 45_000 }), found);
    for (const name of TAB_NAMES) {
      await page.getByRole('tab', { name }).click();
      await expect(page.getByRole('tabpanel', { name })).toBeVisible();
      found.push(...(await sidewaysScroll(page, `${agent} (${name})`)));
    }
    await visit(page, `${agent}/images`, (p) => expect(p.getByTestId('gallery-thumb').first()).toBeVisible(), found);
    // The conversation view, reached as a person reaches it: from an image that has a story.
    await page.getByTestId('gallery-thumb').first().click();
    const conversationLink = page.getByRole('dialog').getByRole('link', { name: 'View conversation' });
    if (await conversationLink.isVisible({ timeout: 5_000 }).catch(() => false)) {
      await conversationLink.click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Conversation');
      found.push(...(await sidewaysScroll(page, 'conversation')));
    }
    await visit(page, '/images', heading, found);
    await visit(page, '/no-such-page', (p) => expect(p.getByText(/not found/i).first()).toBeVisible(), found);
    await visit(
      page,
      `/agents/${CLUSTER}/agents/no-such-agent`,
      (p) => expect(p.getByText(/not found|no agent/i).first()).toBeVisible(),
      found,
    );
    await viewer.close();

    const support = await phone(browser, colorScheme, 'support');
    await visit(support.page, '/deliveries', heading, found);
    await support.close();

    const operator = await phone(browser, colorScheme, 'operator');
    await visit(operator.page, '/audit', heading, found);
    await operator.close();

    const admin = await phone(browser, colorScheme, 'admin');
    await visit(admin.page, '/admin/sessions', heading, found);
    await admin.close();

    expect(found).toEqual([]);
  });
}
