import { expect, test, type Page } from '@playwright/test';
import { signIn } from './support/session';
import { seededAgents } from './support/seed-truth';

const CLUSTER = encodeURIComponent('dashboard@devcluster');

/** The demo seed's first agent, which holds the most images (its count from the seed's truth). */
async function bigAgent() {
  const a = (await seededAgents()).find((x) => x.namespace === 'agents' && x.name === 'openab-codex')!;
  return { namespace: a.namespace, name: a.name, images: a.images };
}

async function loaded(page: Page, selector: string) {
  await expect
    .poll(
      () =>
        page
          .locator(selector)
          .first()
          .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
      { timeout: 30_000 },
    )
    .toBe(true);
}

test.describe('gallery', () => {
  test('browse an agent\u2019s images, open full size, move with the arrow keys, download', async ({ page }) => {
    const a = await bigAgent();
    await signIn(page, 'viewer');
    await page.goto(`/agents/${CLUSTER}/${a.namespace}/${a.name}?tab=images`);
    await expect(page.getByTestId('images-strip').locator('img')).toHaveCount(8);
    await page.getByTestId('agent-gallery-link').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Images of ${a.name}`);
    await expect(page.getByTestId('gallery-total')).toContainText(`${a.images} images`);
    const thumbs = page.getByTestId('gallery-thumb');
    await expect(thumbs).toHaveCount(48);
    await loaded(page, '[data-testid=gallery-thumb] img');
    const names = await thumbs.evaluateAll((els) => els.slice(0, 3).map((e) => e.getAttribute('data-image')));

    await thumbs.first().click();
    const box = page.getByTestId('lightbox');
    await expect(box).toBeVisible();
    await expect(box).toHaveAttribute('data-image', names[0]!);
    await loaded(page, '[data-testid=lightbox-image]');
    await expect(box).toContainText('Dimensions');
    await expect(box).toContainText(/\d+ × \d+/);
    await expect(box).toContainText('Discord thread');
    await page.keyboard.press('ArrowRight');
    await expect(box).toHaveAttribute('data-image', names[1]!);
    await page.keyboard.press('ArrowRight');
    await expect(box).toHaveAttribute('data-image', names[2]!);
    await page.keyboard.press('ArrowLeft');
    await expect(box).toHaveAttribute('data-image', names[1]!);

    const file = names[1]!.split('/')[1];
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download').click()]);
    expect(download.suggestedFilename()).toBe(file);
    const href = await page.getByTestId('download').getAttribute('href');
    const res = await page.request.get(href!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('image/png');
    expect(res.headers()['content-disposition']).toBe(`attachment; filename="${file}"`);
    expect(res.headers()['cache-control']).toContain('private');
    const body = await res.body();
    expect(body.subarray(1, 4).toString()).toBe('PNG');

    // A viewer may browse but not re-send: the control is disabled with the reason.
    await expect(box.getByTestId('resend-disabled')).toContainText('needs the Support role');
    await page.keyboard.press('Escape');
    await expect(box).toBeHidden();
    await expect(thumbs.first()).toBeFocused();
  });

  test('fleet gallery: filter by agent and session, page through', async ({ page }) => {
    const a = await bigAgent();
    await signIn(page, 'viewer');
    await page.goto('/images');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Generated images');
    await expect(page.getByTestId('gallery-thumb')).toHaveCount(48);
    await page.getByRole('combobox', { name: 'Agent' }).selectOption(`dashboard@devcluster/${a.namespace}/${a.name}`);
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByTestId('gallery-total')).toContainText(`${a.images} images`);
    await page.getByTestId('next-page').click();
    await expect(page.getByTestId('gallery-total')).toContainText('page 2 of');
    const session = (await page.getByTestId('gallery-thumb').first().getAttribute('data-image'))!.split('/')[0];
    await page.getByRole('combobox', { name: 'Session' }).fill(session);
    await page.getByRole('button', { name: 'Apply' }).click();
    // Counted once the filtered page is shown, not the page it replaces.
    await expect(page).toHaveURL(new RegExp(`session=${session}`));
    await expect(page.getByTestId('gallery-total')).not.toContainText('page 2 of');
    const count = await page.getByTestId('gallery-thumb').count();
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThanOrEqual(5);
    for (const name of await page.getByTestId('gallery-thumb').evaluateAll((els) => els.map((e) => e.getAttribute('data-image'))))
      expect(name!.startsWith(session)).toBe(true);
    await page.getByRole('textbox', { name: 'From' }).fill('2000-01-01');
    await page.getByRole('textbox', { name: 'To', exact: true }).fill('2000-01-02');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.getByTestId('gallery-empty')).toBeVisible();
  });

  test('bad image paths are refused by the server', async ({ page }) => {
    const a = await bigAgent();
    await signIn(page, 'viewer');
    const base = `/api/images/${CLUSTER}/${a.namespace}/${a.name}`;
    for (const p of ['../auth.json', '/etc/passwd', 'abc/%2e%2e%2fauth.json', 'x/notes.txt']) {
      const res = await page.request.get(`${base}/file?path=${encodeURIComponent(p)}`);
      expect(res.status(), p).toBe(400);
    }
    const missing = await page.request.get(`${base}/thumbnail?path=${encodeURIComponent('abc/ig_missing.png')}`);
    expect(missing.status()).toBe(404);
  });
});
