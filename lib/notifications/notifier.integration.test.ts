// Two notifiers (two replicas, two identities) against the dev cluster with the demo seed and
// the fake webhook receiver: one message per event, a failover after the leader dies without
// releasing the Lease loses nothing and repeats nothing, and a restart sends nothing again.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevCluster } from '../../devcluster/cluster';
import type { SeedAgent } from '../../devcluster/seed/types';
import { execIn, kubeConfig } from '../../devcluster/conformance/helpers';
import { getClusters } from '../k8s/clusters';
import { DASHBOARD_CONTEXT, startTestCluster, type DevClusterControl, type TestCluster } from '../testing/devcluster';
import { Notifier } from './notifier';
import { readRecord } from './record';
import { readNotificationSettings } from './settings';
import type { WebhookBody } from './sinks';

let testCluster: TestCluster;
let cluster: DevCluster;
let truth: SeedAgent[];
let control: DevClusterControl;
const running: Notifier[] = [];
const NS = 'openab-dashboard';
const LEASE = 'openab-dashboard-notifier';
const RECORD = 'openab-dashboard-notifications';

function notifier(name: string): Notifier {
  const settings = readNotificationSettings({
    NOTIFY_SLACK_WEBHOOK_URL: cluster.webhooks.urls.slack,
    NOTIFY_DISCORD_WEBHOOK_URL: cluster.webhooks.urls.discord,
    NOTIFY_WEBHOOK_URL: cluster.webhooks.urls.webhook,
    NOTIFY_INTERVAL_MS: '300',
    NOTIFY_LEASE_SECONDS: '3',
    NOTIFY_NAMESPACE: NS,
    POD_NAME: name,
  });
  const n = new Notifier(settings, getClusters()[0]);
  running.push(n);
  n.start();
  return n;
}

async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const generic = () =>
  cluster.webhooks
    .received()
    .filter((r) => r.hook === 'webhook')
    .map((r) => r.body as WebhookBody);
const keysOf = (hook: string) =>
  cluster.webhooks
    .received()
    .filter((r) => r.hook === hook)
    .map((r) => (hook === 'webhook' ? (r.body as WebhookBody).key : JSON.stringify(r.body)));
const record = () => readRecord({ core: getClusters()[0].core, namespace: NS, name: RECORD }).then((r) => r.state);

/** Every message once: no key twice on the generic webhook, and as many messages on each sink. */
function expectNoRepeats(): void {
  const keys = keysOf('webhook');
  expect(keys.length).toBeGreaterThan(0);
  expect(new Set(keys).size, `repeated: ${keys.filter((k, i) => keys.indexOf(k) !== i).join(', ')}`).toBe(keys.length);
  expect(keysOf('slack').length).toBe(keys.length);
  expect(keysOf('discord').length).toBe(keys.length);
}

/** A leader that found everything there is and sent it: nothing pending after two more scans. */
async function settled(n: Notifier): Promise<void> {
  await waitFor(
    'the leader to send all it found',
    async () => {
      const before = n.status().scans;
      if (!n.status().leader || Object.keys((await record()).pending).length > 0) return false;
      await waitFor('two more scans', () => n.status().scans >= before + 2, 30_000);
      return Object.keys((await record()).pending).length === 0;
    },
    120_000,
  );
}

beforeAll(async () => {
  testCluster = await startTestCluster('notify', { seed: 'demo' });
  ({ cluster, control } = testCluster);
  truth = testCluster.state.seed!.agents;
  testCluster.pointApp({
    AGENT_SELECTOR: testCluster.state.seed!.codexSelector ?? undefined,
    // As the dashboard's service account: its Lease and record are granted by name only.
    KUBE_CONTEXTS: DASHBOARD_CONTEXT,
    PROBE_CACHE_MS: '1',
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(running.map((n) => n.stop({ release: false })));
  await testCluster?.stop();
});

describe('notifications from two replicas', () => {
  let a: Notifier;
  let b: Notifier;

  it('one replica leads and every event of the seed arrives once on each webhook', async () => {
    a = notifier('dashboard-a');
    b = notifier('dashboard-b');
    const leader = await waitFor('a leader', () => [a, b].find((n) => n.status().leader));
    await settled(leader);
    expect([a, b].filter((n) => n.status().leader)).toHaveLength(1);
    expectNoRepeats();

    const events = generic();
    const has = (type: string, agent: SeedAgent) =>
      events.some((e) => e.type === type && e.agent.namespace === agent.namespace && e.agent.name === agent.name);
    const codex = truth.filter((t) => t.codex);
    for (const t of codex.filter((x) => x.login === 'expired' && !x.crashLooping))
      expect(has('login-expired', t), `${t.namespace}/${t.name}`).toBe(true);
    for (const t of codex.filter((x) => x.login === 'expiring' && !x.crashLooping))
      expect(has('login-expiring', t), `${t.namespace}/${t.name}`).toBe(true);
    for (const t of codex.filter((x) => x.crashLooping)) expect(has('crash-loop', t), `${t.namespace}/${t.name}`).toBe(true);
    for (const t of codex.filter((x) => x.approval === 'full-access' && !x.crashLooping))
      expect(has('full-access', t), `${t.namespace}/${t.name}`).toBe(true);
    expect(events.some((e) => e.type === 'delivery-failed')).toBe(true);
    // Nothing for agents that are fine, and no secret in any message.
    for (const t of codex.filter((x) => x.login === 'chatgpt'))
      expect(events.some((e) => e.type.startsWith('login-') && e.agent.name === t.name && e.agent.namespace === t.namespace)).toBe(false);
    const all = JSON.stringify(cluster.webhooks.received());
    expect(all).not.toContain(cluster.discordBotToken);
    expect(all).not.toMatch(/access_token|refresh_token|api_key|sk-[A-Za-z0-9]{8}|approval_policy/);
    // Discord: no mention can ping anyone.
    for (const r of cluster.webhooks.received().filter((x) => x.hook === 'discord'))
      expect(r.body).toMatchObject({ allowed_mentions: { parse: [] } });
    const lease = await getClusters()[0].kc.makeApiClient(k8s.CoordinationV1Api).readNamespacedLease({ namespace: NS, name: LEASE });
    expect(lease.spec?.holderIdentity).toBe(leader.status().identity);
    expect(lease.spec?.leaseDurationSeconds).toBe(3);
  }, 180_000);

  it('the leader dies with an event found but not sent: the other takes over after the Lease expires and sends it, once', async () => {
    const leader = [a, b].find((n) => n.status().leader)!;
    const other = leader === a ? b : a;
    const before = keysOf('webhook');
    // The webhooks fail for now: what the leader finds stays pending in the record.
    cluster.webhooks.failNext(1_000_000);
    const victim = truth.find((t) => t.codex && !t.crashLooping && t.login === 'chatgpt')!;
    await control.crashloop(victim.namespace, victim.name, true);
    const pendingKey = await waitFor('the leader to record the crash loop as pending', async () =>
      Object.keys((await record()).pending).find((k) => k.startsWith(`crash-loop|`) && k.includes(`/${victim.namespace}/${victim.name}|`)),
    );
    const killedAt = Date.now();
    await leader.stop({ release: false });
    cluster.webhooks.failNext(0);
    await waitFor('the other replica to send the pending event', () => generic().some((e) => e.key === pendingKey), 60_000);
    // Not before the dead leader's Lease (3 s) ran out.
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(3_000);
    expect(other.status().leader).toBe(true);
    await settled(other);
    expectNoRepeats();
    expect(keysOf('webhook').filter((k) => before.includes(k))).toHaveLength(before.length);
    await control.crashloop(victim.namespace, victim.name, false);
  }, 180_000);

  it('a restart of the only replica sends nothing it sent before', async () => {
    const survivor = [a, b].find((n) => n.status().leader)!;
    await survivor.stop({ release: true });
    const before = keysOf('webhook');
    const c = notifier('dashboard-c');
    await waitFor('the restarted replica to lead', () => c.status().leader, 30_000);
    await settled(c);
    expectNoRepeats();
    // Only new facts (a crash loop's restart count reaching the next power of ten) may be new.
    for (const e of generic().filter((x) => !before.includes(x.key))) expect(e.type).toBe('crash-loop');
  }, 180_000);

  it('an agent switched to Full access by hand in its pod is told once, and again after a switch back and forth', async () => {
    const c = running.find((n) => n.status().leader)!;
    const agent = truth.find((t) => t.codex && !t.crashLooping && t.approval === 'manual' && t.configLoads)!;
    const admin = kubeConfig(cluster);
    const pods = await admin.makeApiClient(k8s.CoreV1Api).listNamespacedPod({
      namespace: agent.namespace,
      labelSelector: `app.kubernetes.io/instance=${agent.release},app.kubernetes.io/component=${agent.agentKey}`,
    });
    const pod = pods.items.find((p) => !p.metadata?.deletionTimestamp)!.metadata!.name!;
    // What an operator does with kubectl exec: the two top-level keys of Full access, first in the file.
    const setMode = async (lines: string) => {
      const script =
        'f="$HOME/.codex/config.toml"; { printf "$1"; grep -v "^approval_policy\\|^sandbox_mode" "$f"; } > "$f.new" && mv "$f.new" "$f"';
      const out = await execIn(admin, agent.namespace, pod, ['sh', '-c', script, 'sh', lines]);
      expect(out.status.status, out.stderr.toString()).toBe('Success');
    };
    const told = () =>
      generic().filter((e) => e.type === 'full-access' && e.agent.namespace === agent.namespace && e.agent.name === agent.name);
    expect(told()).toHaveLength(0);
    await setMode('approval_policy = "never"\nsandbox_mode = "danger-full-access"\n');
    await waitFor('the switch to be told', () => told().length === 1, 60_000);
    await setMode('approval_policy = "untrusted"\n');
    await waitFor(
      'the switch back to be seen',
      async () => !(await record()).fullAccess[`dashboard@devcluster/${agent.namespace}/${agent.name}`],
      60_000,
    );
    const scans = c.status().scans;
    await waitFor('two more scans', () => c.status().scans >= scans + 2, 30_000);
    expect(told()).toHaveLength(1);
    await setMode('approval_policy = "never"\nsandbox_mode = "danger-full-access"\n');
    await waitFor('the second switch to be told', () => told().length === 2, 60_000);
    expect(new Set(told().map((e) => e.key)).size).toBe(2);
    expectNoRepeats();
  }, 180_000);
});
