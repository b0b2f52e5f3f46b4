import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { signIn } from './support/session';
import { e2eState } from './support/env';

// The demo seed's first agent: the most images, failed uploads of every kind (devcluster/seed/fleet.ts).
const BIG = { namespace: 'agents', name: 'openab-codex' };

type Received = { status: number; channelId: string; attachments: Array<{ filename: string; size: number; sha256: string }> };

async function discordMessages(): Promise<Received[]> {
  const res = await fetch(`${e2eState().cluster.discordUrl}/_test/messages`);
  return ((await res.json()) as { messages: Received[] }).messages;
}

function resendActionId(): string | null {
  const file = path.resolve(__dirname, '..', process.env.NEXT_DIST_DIR || '.next', 'server/server-reference-manifest.json');
  if (!existsSync(file)) return null;
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { node: Record<string, { exportedName?: string }> };
  return Object.entries(manifest.node ?? {}).find(([, v]) => v.exportedName === 'resendImageAction')?.[0] ?? null;
}

test.describe('failed deliveries', () => {
  test('support re-delivers a failed upload; Discord receives it; it stays marked', async ({ page }) => {
    const a = BIG;
    await signIn(page, 'support');
    await page.getByRole('link', { name: 'Deliveries' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Failed deliveries');
    await page.getByRole('combobox', { name: 'Agent' }).selectOption(`dashboard@devcluster/${a.namespace}/${a.name}`);
    await page.getByRole('button', { name: 'Apply' }).click();
    const open = async () =>
      Number(/(\d+) not delivered/.exec((await page.getByTestId('deliveries-total').textContent()) ?? '')?.[1] ?? -1);
    await expect(page.getByTestId('delivery').first()).toBeVisible();
    const openBefore = await open();
    expect(openBefore).toBeGreaterThan(0);

    const row = page.locator('[data-testid=delivery][data-kind=failed]').filter({ hasText: 'could not resolve the host' }).first();
    const image = (await row.getAttribute('data-image'))!;
    const file = image.split('/')[1];
    const before = (await discordMessages()).length;
    const send = row.getByRole('button', { name: 'Send to Discord' });
    await send.dblclick();
    await expect(row.getByTestId('resend-result')).toContainText('Delivered', { timeout: 30_000 });
    await expect(row.getByTestId('resend-result').getByRole('link', { name: 'open the message' })).toHaveAttribute(
      'href',
      /^https:\/\/discord\.com\/channels\/\d+\/\d+\/\d+$/,
    );

    const received = (await discordMessages()).slice(before);
    expect(received).toHaveLength(1);
    expect(received[0].status).toBe(200);
    expect(received[0].attachments[0].filename).toBe(file);

    await page.goto(`/deliveries?agent=${encodeURIComponent(`dashboard@devcluster/${a.namespace}/${a.name}`)}&show=done`);
    const done = page.locator(`[data-testid=delivery][data-image="${image}"]`);
    await expect(done).toHaveAttribute('data-redelivered', '1');
    await expect(done.getByTestId('redelivered-badge')).toBeVisible();
    await page.goto(`/deliveries?agent=${encodeURIComponent(`dashboard@devcluster/${a.namespace}/${a.name}`)}`);
    await expect(page.locator(`[data-testid=delivery][data-image="${image}"]`)).toHaveCount(0);
    expect(await open()).toBe(openBefore - 1);
  });

  test('a refused target is explained in plain words', async ({ page }) => {
    const a = BIG;
    await signIn(page, 'support');
    await page.goto(`/deliveries?agent=${encodeURIComponent(`dashboard@devcluster/${a.namespace}/${a.name}`)}`);
    const row = page.locator('[data-testid=delivery][data-kind=never-sent]').first();
    await row.getByRole('button', { name: 'change' }).click();
    await row.getByLabel('Channel or thread id').fill('12345');
    await expect(row.getByRole('button', { name: 'Send to Discord' })).toBeDisabled();
    await expect(row).toContainText('17 to 20 digits');
    await row.getByLabel('Channel or thread id').fill('444444444444444444');
    await row.getByRole('button', { name: 'Send to Discord' }).click();
    await expect(row.getByTestId('resend-error')).toContainText('Check the id');
  });

  test('a viewer has no deliveries page, no re-send button, and the server refuses', async ({ page }) => {
    const a = BIG;
    await signIn(page, 'viewer');
    await expect(page.getByRole('link', { name: 'Deliveries' })).toHaveCount(0);
    await page.goto('/deliveries');
    await expect(page).toHaveURL(/refused=deliveries/);
    const id = resendActionId();
    test.skip(!id, 'no build manifest');
    const before = (await discordMessages()).length;
    const res = await page.request.post('/', {
      headers: { 'Next-Action': id!, 'Content-Type': 'text/plain;charset=UTF-8' },
      data: JSON.stringify([
        { cluster: 'dashboard@devcluster', namespace: a.namespace, name: a.name, image: 'abc/ig_x.png', target: '123456789012345678' },
      ]),
    });
    expect(await res.text()).toContain('role');
    expect((await discordMessages()).length).toBe(before);
  });
});
