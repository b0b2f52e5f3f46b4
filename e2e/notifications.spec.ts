// Notifications from two dashboards (two `next start` replicas of the production build) on the
// e2e dev cluster, to its fake webhooks: one message per event; the leader killed outright (no
// shutdown of its own) is followed, after its Lease runs out, by the other, which repeats nothing
// and sends what happens next; the receiver's page shows the messages in a browser.
import { expect, test } from '@playwright/test';
import { E2E, cluster, e2eState } from './support/env';
import { startReplica, type Replica } from './support/replica';

interface Received {
  hook: string;
  body: { key?: string; type?: string; agent?: { namespace: string; name: string } };
}

const NS = 'openab-dashboard';
const LEASE = 'openab-dashboard-notifier';
const RECORD = 'openab-dashboard-notifications';

test('two dashboards: one sends each event once, and the other takes over when it dies', async ({ page }) => {
  test.setTimeout(240_000);
  const { cluster: state } = e2eState();
  const hooks = state.webhooks!;
  const control = cluster();
  const received = async () => (await (await fetch(`${hooks.url}/_control/received`)).json()) as Received[];
  const keys = async () => (await received()).filter((r) => r.hook === 'webhook').map((r) => r.body.key!);
  const holder = async () =>
    (await control.call<{ spec?: { holderIdentity?: string } }>('GET', `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${LEASE}`))
      .spec?.holderIdentity ?? '';
  const env = (name: string) => ({
    NOTIFY_SLACK_WEBHOOK_URL: hooks.urls.slack,
    NOTIFY_DISCORD_WEBHOOK_URL: hooks.urls.discord,
    NOTIFY_WEBHOOK_URL: hooks.urls.webhook,
    NOTIFY_INTERVAL_MS: '1000',
    NOTIFY_LEASE_SECONDS: '3',
    POD_NAME: name,
  });
  const replicas: Record<string, Replica> = {};
  const victim = state.seed!.agents.find((a) => a.codex && !a.crashLooping && a.login === 'chatgpt')!;
  try {
    [replicas.a, replicas.b] = await Promise.all([
      startReplica(E2E.port + 20, env('replica-a')),
      startReplica(E2E.port + 21, env('replica-b')),
    ]);
    // The seed's expired login, crash loop, failed uploads and Full access agent arrive, once each.
    await expect
      .poll(async () => new Set((await received()).filter((r) => r.hook === 'webhook').map((r) => r.body.type)).size, { timeout: 90_000 })
      .toBeGreaterThanOrEqual(4);
    // Let the leader send all it found (nothing pending, no new message between two looks): a
    // leader killed while posting may post that one message again (at-least-once, see README).
    let last = -1;
    await expect
      .poll(
        async () => {
          const cm = await control.call<{ data?: Record<string, string> }>('GET', `/api/v1/namespaces/${NS}/configmaps/${RECORD}`);
          const pending = Object.keys(JSON.parse(cm.data?.['notifications.json'] ?? '{}').pending ?? {}).length;
          const count = (await received()).length;
          const still = pending === 0 && count === last;
          last = count;
          return still;
        },
        { timeout: 120_000, intervals: [2_500] },
      )
      .toBe(true);
    const leaderName = (await holder()).split('_')[0];
    expect(['replica-a', 'replica-b']).toContain(leaderName);
    const before = await keys();
    expect(new Set(before).size).toBe(before.length);

    // The leader dies outright; something new happens; the other replica tells it, once.
    replicas[leaderName.slice(-1)].kill();
    await control.crashloop(victim.namespace, victim.name, true);
    await expect
      .poll(
        async () =>
          (await received()).some(
            (r) =>
              r.hook === 'webhook' &&
              r.body.type === 'crash-loop' &&
              r.body.agent?.name === victim.name &&
              r.body.agent.namespace === victim.namespace,
          ),
        { timeout: 90_000 },
      )
      .toBe(true);
    expect((await holder()).split('_')[0]).not.toBe(leaderName);
    const after = await keys();
    expect(new Set(after).size).toBe(after.length);
    expect(before.every((k) => after.includes(k))).toBe(true);
    for (const hook of ['slack', 'discord']) expect((await received()).filter((r) => r.hook === hook)).toHaveLength(after.length);

    // What a user of the demo opens: the receiver's page lists the messages.
    await page.goto(`${hooks.url}/`);
    await expect(page.getByRole('heading', { name: /Notifications received \(\d+\)/ })).toBeVisible();
    await expect(
      page
        .getByRole('listitem')
        .filter({ hasText: `${victim.namespace}/${victim.name}` })
        .filter({ hasText: 'crash-looping' })
        .first(),
    ).toBeVisible();
    // No secret crossed: the webhook URLs' tokens and the bot token appear in no message.
    const all = JSON.stringify(await received());
    expect(all).not.toContain(state.discordBotToken);
    expect(all).not.toContain(new URL(hooks.urls.webhook).pathname.split('/').pop()!);
  } finally {
    await control.crashloop(victim.namespace, victim.name, false).catch(() => undefined);
    await Promise.all(Object.values(replicas).map((r) => r.stop()));
    await control.close();
  }
});
