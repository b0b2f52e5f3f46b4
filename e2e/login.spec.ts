// Device-code login from the browser against the demo stack: the REAL codex binary runs in the
// agent's pod, the dev cluster's fake issuer approves or denies the code.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { expect, test, type Page } from '@playwright/test';
import { chartDeployment } from '../devcluster/testing/chart-deployment';
import { signIn } from './support/session';
import { adminKube, execAsAdmin, runningPod } from './support/cluster-admin';
import { e2eState } from './support/env';

const NS = 'agents';
const NAME = 'login-e2e-openab-codex';
const CLUSTER = 'dashboard@devcluster';
const href = `/agents/${encodeURIComponent(CLUSTER)}/${NS}/${NAME}`;
const apiHref = `/api${href}/login`;
/** The agent page opened on its Login section. */
const loginHref = `${href}?tab=login`;
const EMAIL = 'e2e-login@example.com';

const agentRunningPod = () => runningPod(NS, `app.kubernetes.io/instance=${NAME}`);

/** Runs a fixed command in the agent's pod as the cluster admin (not through the dashboard). */
async function inPod(argv: string[]): Promise<string> {
  return (await execAsAdmin(NS, await agentRunningPod(), argv)).out;
}

/** `codex ... login ... --device-auth` processes in the pod, read from /proc. */
async function codexLoginProcesses(): Promise<string[]> {
  const out = await inPod([
    'sh',
    '-c',
    `for c in /proc/[0-9]*/cmdline; do a=$(tr '\\000' '\\n' < "$c" 2>/dev/null) || continue; if printf '%s\\n' "$a" | grep -qx login && printf '%s\\n' "$a" | grep -qx -e --device-auth; then echo "$(printf '%s' "$a" | tr '\\n' ' ')"; fi; done`,
  ]);
  return out.split('\n').filter(Boolean);
}

async function issuer(decision: 'approve' | 'deny', code: string, email = EMAIL) {
  const res = await fetch(`${e2eState().cluster.issuerUrl}/_test/${decision}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user_code: code, email }),
  });
  expect(res.ok, `${decision} ${code}`).toBe(true);
}

async function startLogin(page: Page, expectConfirm: boolean): Promise<string> {
  await page.getByTestId('login-start').click();
  if (expectConfirm) {
    const dialog = page.getByRole('dialog', { name: "Replace the agent's login?" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Start a new login' }).click();
  }
  const code = page.getByTestId('login-code');
  await expect(code).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{5}$/, { timeout: 20_000 });
  return (await code.textContent())!;
}

test.describe.serial('device-code login', () => {
  test.beforeAll(async () => {
    const apps = adminKube().makeApiClient(k8s.AppsV1Api);
    const labels = { 'app.kubernetes.io/name': 'openab', 'app.kubernetes.io/instance': NAME, 'app.kubernetes.io/component': 'codex' };
    await apps.createNamespacedDeployment({
      namespace: NS,
      body: chartDeployment({
        name: NAME,
        labels,
        image: 'ghcr.io/openabdev/openab-codex:e2e',
        claimName: `${NAME}-data`,
        workingDir: '/home/node',
      }),
    });
    await agentRunningPod();
  });

  test.afterAll(async () => {
    const kc = adminKube();
    await kc.makeApiClient(k8s.AppsV1Api).deleteNamespacedDeployment({ namespace: NS, name: NAME });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    for (let i = 0; i < 120; i++) {
      const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: `app.kubernetes.io/instance=${NAME}` });
      if (pods.items.length === 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  test('an operator logs the agent in: code, approval at the issuer, success, restart, logged in with the issuer e-mail', async ({
    page,
  }) => {
    await signIn(page, 'operator');
    await page.goto(loginHref);
    await expect(page.getByTestId('login-state')).toContainText('Not logged in');
    const code = await startLogin(page, false);
    const link = page.getByTestId('login-link');
    await expect(link).toHaveAttribute('href', `${e2eState().cluster.issuerUrl}/codex/device`);
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', /noopener/);
    await expect(page.getByTestId('login-countdown')).toHaveText(/^Expires in 1[45]:\d\d$/);
    await expect(page.getByRole('checkbox', { name: /Restart the agent after the login/ })).toBeChecked();
    await issuer('approve', code);
    await expect(page.getByTestId('restart-state')).toHaveText(`The agent restarted and is logged in as ChatGPT ${EMAIL} (plus).`, {
      timeout: 45_000,
    });
    await expect(page.getByTestId('login-state')).toContainText(EMAIL);
    // The code and the link stay out of the audit record; start and success are in it.
    const events = await adminKube().makeApiClient(k8s.CoreV1Api).listNamespacedEvent({ namespace: NS });
    const audit = events.items
      .filter((e) => e.reason === 'OpenABDashboardAction' && e.involvedObject?.name === NAME)
      .map((e) => `${e.message} ${JSON.stringify(e.metadata?.annotations ?? {})}`);
    expect(audit.some((m) => m.includes('login-start started'))).toBe(true);
    expect(audit.some((m) => m.includes('login success'))).toBe(true);
    expect(audit.join('\n')).not.toContain(code);
    expect(audit.join('\n')).not.toContain('/codex/device');
  });

  test('an agent already logged in asks first; a reload and a second operator see the same code; cancel leaves no Codex process', async ({
    page,
    browser,
  }) => {
    await signIn(page, 'operator');
    await page.goto(loginHref);
    await expect(page.getByTestId('login-state')).toContainText(EMAIL);
    const code = await startLogin(page, true);
    const before = await page.getByTestId('login-countdown').textContent();
    await expect(page.getByTestId('login-state')).toContainText('Not logged in');

    await page.reload();
    await expect(page.getByTestId('login-code')).toHaveText(code);
    const after = await page.getByTestId('login-countdown').textContent();
    const seconds = (t: string | null) => {
      const m = /(\d+):(\d\d)/.exec(t ?? '')!;
      return Number(m[1]) * 60 + Number(m[2]);
    };
    expect(Math.abs(seconds(before) - seconds(after))).toBeLessThanOrEqual(15);

    const other = await browser.newContext();
    const second = await other.newPage();
    await signIn(second, 'admin');
    await second.goto(loginHref);
    await expect(second.getByTestId('login-code')).toHaveText(code);
    await other.close();

    expect((await codexLoginProcesses()).length).toBeGreaterThan(0);
    await page.getByTestId('login-cancel').click();
    // The page says "cancelled" only once no process of the login is left (until then,
    // "Cancelling…"), so the pod is checked right then, not after a pause.
    await expect(page.getByTestId('login-status')).toContainText('cancelled', { timeout: 20_000 });
    expect(await codexLoginProcesses()).toEqual([]);
  });

  test('a denied code shows the failure in plain words and Codex own message', async ({ page }) => {
    await signIn(page, 'operator');
    await page.goto(loginHref);
    // The login started (and cancelled) before revoked the agent's login, as the dialog warned.
    await expect(page.getByTestId('login-state')).toContainText('Not logged in');
    const code = await startLogin(page, false);
    await issuer('deny', code);
    const failure = page.getByTestId('login-failure');
    await expect(failure).toContainText('The login server refused the code', { timeout: 20_000 });
    await expect(failure).toContainText('Codex: Error logging in');
    expect(await codexLoginProcesses()).toEqual([]);
  });

  test('the restart after the login can be unticked, and asked for later', async ({ page }) => {
    await signIn(page, 'operator');
    await page.goto(loginHref);
    const podBefore = await agentRunningPod();
    const code = await startLogin(page, false);
    const restart = page.getByRole('checkbox', { name: /Restart the agent after the login/ });
    await restart.uncheck();
    await issuer('approve', code, 'no-restart@example.com');
    await expect(page.getByTestId('login-status')).toContainText('The last device login succeeded', { timeout: 20_000 });
    await expect(page.getByTestId('login-status')).toContainText('no-restart@example.com');
    await expect(page.getByTestId('login-state')).toContainText('no-restart@example.com');
    await expect(page.getByTestId('restart-progress')).toHaveCount(0);
    expect(await agentRunningPod()).toBe(podBefore);
    // Later, on purpose: the restart from the finished login, once.
    await page.getByTestId('login-restart-now').click();
    await expect(page.getByTestId('restart-state')).toHaveText(
      'The agent restarted and is logged in as ChatGPT no-restart@example.com (plus).',
      { timeout: 45_000 },
    );
    expect(await agentRunningPod()).not.toBe(podBefore);
  });

  test('a viewer has no login button, sees why, and the server refuses a viewer', async ({ page }) => {
    await signIn(page, 'viewer');
    await page.goto(loginHref);
    await expect(page.getByTestId('login-start')).toBeDisabled();
    await expect(page.getByTestId('login-disabled-reason')).toContainText('needs the Operator role');
    await expect(page.getByTestId('login-code')).toHaveCount(0);
    const res = await page.request.get(apiHref);
    expect(res.status()).toBe(403);

    const manifest = JSON.parse(
      readFileSync(path.resolve(__dirname, '..', process.env.NEXT_DIST_DIR || '.next', 'server/server-reference-manifest.json'), 'utf8'),
    ) as {
      node: Record<string, { exportedName?: string; filename?: string }>;
    };
    const id = Object.entries(manifest.node).find(([, v]) => v.exportedName === 'startLoginAction')?.[0];
    expect(id).toBeTruthy();
    const answer = await page.request.post(href, {
      headers: { 'Next-Action': id!, 'Content-Type': 'text/plain;charset=UTF-8' },
      data: JSON.stringify([{ cluster: CLUSTER, namespace: NS, name: NAME, replaceLogin: true }]),
    });
    expect(await answer.text()).toContain('needs the Operator role');
    expect(await codexLoginProcesses()).toEqual([]);
  });

  test('a sign-in link the pod prints off the login server never reaches the browser; the page says why', async ({ page }) => {
    await signIn(page, 'operator');
    await page.goto(loginHref);
    const code = await startLogin(page, true);
    await expect(page.getByTestId('login-link')).toHaveAttribute('href', `${e2eState().cluster.issuerUrl}/codex/device`);
    // What a compromised agent can do: its own /tmp holds the login's output.
    const foreign = `phish-${Date.now()}.example`;
    const received: string[] = [];
    page.on('response', async (res) => {
      received.push(await res.text().catch(() => ''));
    });
    const planted = await inPod([
      'sh',
      '-c',
      'f=/tmp/openab-dashboard/login/active/out; sed "s#https\\?://[^ ]*/codex/device#https://$1/codex/device#" "$f" > "$f.new" && mv -f "$f.new" "$f" && grep -c "$1" "$f"',
      'plant',
      foreign,
    ]);
    expect(planted.trim()).toBe('1');
    const refused = page.getByTestId('login-link-refused');
    await expect(refused).toContainText('not on the login server', { timeout: 20_000 });
    await expect(page.getByTestId('login-link')).toHaveCount(0);
    await expect(page.getByTestId('login-code')).toHaveCount(0);
    // A reload renders it on the server: still no link, no code.
    await page.reload();
    await expect(page.getByTestId('login-link-refused')).toBeVisible();
    const api = await page.request.get(apiHref);
    received.push(await api.text());
    received.push(await page.content());
    expect(received.length).toBeGreaterThan(2);
    for (const body of received) {
      expect(body).not.toContain(foreign);
      expect(body).not.toContain(code);
    }
    await page.getByTestId('login-cancel').click();
    await expect(page.getByTestId('login-status')).toContainText('cancelled', { timeout: 20_000 });
    expect(await codexLoginProcesses()).toEqual([]);
  });
});
