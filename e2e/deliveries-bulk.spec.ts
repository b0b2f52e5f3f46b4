// Several failed deliveries re-sent at once, as support does it: each row gets its own result
// (one made to fail in the pod on purpose), Discord receives only the ones sent, each send is
// audited like a single re-send, and targets show their channel or thread names.
import { expect, test } from '@playwright/test';
import { signIn } from './support/session';
import { e2eState } from './support/env';
import { agentPod, execAsAdmin } from './support/cluster-admin';
import { seededAgents } from './support/seed-truth';
import { nodeEvalArgv } from '../lib/pod/invocation';

const CLUSTER = 'dashboard@devcluster';
const BIG = { namespace: 'agents', name: 'openab-codex' };

async function discordMessages(): Promise<Array<{ status: number; channelId: string }>> {
  const res = await fetch(`${e2eState().cluster.discordUrl}/_test/messages`);
  return ((await res.json()) as { messages: Array<{ status: number; channelId: string }> }).messages;
}

/** chmod on one image under generated_images (argv: home, mode, image name), as the cluster admin. */
const CHMOD = String.raw`require("fs").chmodSync(process.argv[1] + "/generated_images/" + process.argv[3], parseInt(process.argv[2], 8));`;

test('support re-sends several failed deliveries at once, each with its own result and audit entry', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const seeded = (await seededAgents()).find((a) => a.namespace === BIG.namespace && a.name === BIG.name)!;
  const pod = await agentPod(seeded);
  await signIn(page, 'support');
  await page.goto(`/deliveries?agent=${encodeURIComponent(`${CLUSTER}/${BIG.namespace}/${BIG.name}`)}`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Failed deliveries');
  // Targets the agent's bot may read carry their names.
  await expect(page.getByTestId('target-name').first()).toHaveText(/^#\S+/);

  const rows = page.locator('[data-testid=delivery][data-kind=failed]');
  await expect(rows.first()).toBeVisible();
  const picked = [rows.nth(0), rows.nth(1), rows.nth(2)];
  const images = await Promise.all(picked.map((r) => r.getAttribute('data-image')));
  for (const [i, row] of picked.entries())
    await row.getByRole('checkbox', { name: new RegExp(`^Select ${images[i]!.split('/')[1]}`) }).check();
  const bulk = page.getByRole('group', { name: 'Re-send several' });
  await expect(bulk.getByRole('button', { name: 'Re-send selected (3)' })).toBeEnabled();

  // The third cannot be read in the pod: it fails alone, with its reason beside it.
  await execAsAdmin(seeded.namespace, pod, nodeEvalArgv('chmod', CHMOD, ['000', images[2]!]));
  const before = (await discordMessages()).length;
  try {
    await bulk.getByRole('button', { name: 'Re-send selected (3)' }).click();
    for (const row of picked.slice(0, 2)) {
      await expect(row.getByRole('status')).toContainText('Delivered to', { timeout: 60_000 });
      await expect(row.getByRole('status').getByRole('link', { name: 'open the message' })).toHaveAttribute(
        'href',
        /^https:\/\/discord\.com\/channels\/\d+\/\d+\/\d+$/,
      );
    }
    await expect(picked[2].getByRole('status')).toContainText('Not sent:', { timeout: 60_000 });
  } finally {
    await execAsAdmin(seeded.namespace, pod, nodeEvalArgv('chmod', CHMOD, ['644', images[2]!]));
  }
  const received = (await discordMessages()).slice(before);
  expect(received.map((m) => m.status)).toEqual([200, 200]);
  // Delivered rows can no longer be selected; the failed one can be tried again.
  await expect(picked[0].getByRole('checkbox')).toHaveCount(0);
  await expect(picked[2].getByRole('checkbox')).toHaveCount(1);

  // Each send is in the audit as a single re-send is.
  const admin = await browser.newPage();
  await signIn(admin, 'admin');
  const agentKey = encodeURIComponent(`${CLUSTER}/${BIG.namespace}/${BIG.name}`);
  const audit = (await (await admin.request.get(`/api/audit/export?format=json&agent=${agentKey}`)).json()) as {
    entries: Array<{ action: string; result: string; message: string }>;
  };
  for (const [i, image] of images.entries()) {
    const entry = audit.entries.find((e) => e.action === 'resend' && e.message.includes(image!));
    expect(entry, image!).toBeTruthy();
    expect(entry!.result).toBe(i < 2 ? 'success' : 'failure');
  }
  await admin.close();
});

test('a bulk re-send needs the Support role: a viewer has no deliveries page and no bulk control', async ({ page }) => {
  await signIn(page, 'viewer');
  await page.goto('/deliveries');
  await expect(page).toHaveURL(/\/\?refused=deliveries$/);
  await expect(page.getByRole('group', { name: 'Re-send several' })).toHaveCount(0);
});
