// The device login against the dev cluster: the REAL codex binary runs in the pod and talks to
// the fake issuer; the dashboard only reads the pod's files.
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { kubeConfig } from '../../devcluster/conformance/helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevCluster } from '../../devcluster/cluster';
import { chartDeployment } from '../../devcluster/testing/chart-deployment';
import { getCluster } from '../k8s/clusters';
import { DASHBOARD_CONTEXT, startTestCluster, until, type TestCluster } from '../testing/devcluster';
import { execInPod } from '../k8s/exec';
import { probeAgent, invalidateProbe } from '../fleet/probe';
import { cancelLogin, claimLoginStep, readLogin, resolveLoginTarget, startLogin, type LoginTarget } from './device-login';
import type { LoginSnapshot } from './login-state';
import { getLoginView, LoginError, startAgentLogin, cancelAgentLogin } from './login-service';

const CONTEXT = DASHBOARD_CONTEXT;
const NS = 'agents';
let cluster: DevCluster;
let apps: k8s.AppsV1Api;
let notFoundProxy: Server;
let expiringProxy: Server;
let testCluster: TestCluster;
const starter = { name: 'operator', email: null, role: 'operator' };

function agentDeployment(name: string, env: k8s.V1EnvVar[] = []): k8s.V1Deployment {
  const labels = { 'app.kubernetes.io/name': 'openab', 'app.kubernetes.io/instance': name, 'app.kubernetes.io/component': 'codex' };
  return chartDeployment({
    name,
    labels,
    image: 'ghcr.io/openabdev/openab-codex:test',
    claimName: `${name}-data`,
    env,
    workingDir: '/home/node',
  });
}

async function target(name: string): Promise<LoginTarget> {
  const t = await until(
    () => resolveLoginTarget({ clusterId: CONTEXT, namespace: NS, name }),
    (x) => Boolean(x.pod),
    30_000,
  );
  if (!t.pod) throw new Error(`no running pod for ${name}`);
  return t;
}

const loginUntil = (t: LoginTarget, done: (s: LoginSnapshot) => boolean): Promise<LoginSnapshot> =>
  until(() => readLogin(t), done, 20_000, 300);

async function podShell(t: LoginTarget, script: string): Promise<string> {
  const out = await execInPod(t.cluster, {
    namespace: NS,
    pod: t.pod!.name,
    container: 'openab',
    argv: ['sh', '-c', script],
    timeoutMs: 10_000,
  });
  return out.stdout.toString('utf8');
}

/** Every `codex ... login ... --device-auth` process in the pod, from /proc (no ps needed). */
async function deviceLoginProcesses(t: LoginTarget): Promise<string[]> {
  const out = await podShell(
    t,
    `for c in /proc/[0-9]*/cmdline; do a=$(tr '\\000' '\\n' < "$c" 2>/dev/null) || continue; if printf '%s\\n' "$a" | grep -qx login && printf '%s\\n' "$a" | grep -qx -e --device-auth; then echo "$c $(printf '%s' "$a" | tr '\\n' ' ')"; fi; done`,
  );
  return out.split('\n').filter(Boolean);
}

async function approve(code: string, email: string, decision: 'approve' | 'deny' = 'approve') {
  const res = await fetch(`${cluster.issuerUrl}/_test/${decision}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user_code: code, email }),
  });
  expect(res.ok).toBe(true);
}

/** An agent whose pod sends its HTTP requests through a local server that answers with `handler` (a login server of our making). */
async function agentBehindProxy(name: string, handler: RequestListener): Promise<Server> {
  const proxy = createServer(handler);
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  const via = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  await apps.createNamespacedDeployment({
    namespace: NS,
    body: agentDeployment(name, [
      { name: 'HTTP_PROXY', value: via },
      { name: 'http_proxy', value: via },
    ]),
  });
  return proxy;
}

beforeAll(async () => {
  testCluster = await startTestCluster('login', { seed: 'empty', podReadyDelayMs: 200, podTerminationDelayMs: 200 });
  cluster = testCluster.cluster;
  testCluster.pointApp({ PROBE_CACHE_MS: '1', CODEX_LOGIN_ISSUER: cluster.issuerUrl });
  const kc = kubeConfig(cluster);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  for (const name of ['login-a', 'login-b', 'login-c', 'login-d', 'login-i'])
    await apps.createNamespacedDeployment({ namespace: NS, body: agentDeployment(name) });
  // An image without Codex on the PATH.
  await apps.createNamespacedDeployment({ namespace: NS, body: agentDeployment('login-e', [{ name: 'PATH', value: '/usr/bin:/bin' }]) });
  // A login server without device-code login answers 404 to the user-code request: a proxy
  // that answers 404 to everything plays it.
  notFoundProxy = await agentBehindProxy('login-g', (_req, res) => {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end('{"error":"not found"}');
  });
  // A login server that hands out a code, then says it expired (410 Gone, as the fake issuer does).
  expiringProxy = await agentBehindProxy('login-h', (req, res) => {
    const usercode = req.url?.endsWith('/api/accounts/deviceauth/usercode');
    res.writeHead(usercode ? 200 : 410, { 'Content-Type': 'application/json' });
    res.end(
      usercode
        ? '{"device_auth_id":"deviceauth_x","user_code":"ABCD-EFGHI","interval":"1"}'
        : '{"error":{"message":"This device code has expired.","code":"deviceauth_expired"}}',
    );
  });
  // A pod whose requests go through a proxy that is not there: no way out to the login server.
  const noProxy = 'http://127.0.0.1:9';
  await apps.createNamespacedDeployment({
    namespace: NS,
    body: agentDeployment('login-f', [
      { name: 'HTTP_PROXY', value: noProxy },
      { name: 'http_proxy', value: noProxy },
      { name: 'HTTPS_PROXY', value: noProxy },
      { name: 'ALL_PROXY', value: noProxy },
    ]),
  });
}, 120_000);

afterAll(async () => {
  notFoundProxy?.close();
  expiringProxy?.close();
  await testCluster?.stop();
});

describe('device login in the pod', () => {
  it('starts, shows the code, and an approval logs the agent in with the issuer e-mail', async () => {
    const t = await target('login-a');
    expect((await readLogin(t)).phase).toBe('none');
    const { started, snapshot } = await startLogin(t, starter);
    expect(started).toBe(true);
    expect(snapshot.phase).toBe('waiting');
    expect(snapshot.userCode).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{5}$/);
    expect(snapshot.verificationUrl).toBe(`${cluster.issuerUrl}/codex/device`);
    expect(snapshot.expiresInMinutes).toBe(15);
    expect(snapshot.secondsLeft).toBeGreaterThan(14 * 60);
    expect(snapshot.startedBy).toEqual(starter);
    expect(snapshot.podUid).toBe(t.pod!.uid);

    // A second start (another operator, another replica) sees the same login.
    const again = await startLogin(t, { name: 'other', email: null, role: 'admin' });
    expect(again.started).toBe(false);
    expect(again.snapshot.loginId).toBe(snapshot.loginId);
    expect(again.snapshot.userCode).toBe(snapshot.userCode);

    await approve(snapshot.userCode!, 'new-login@example.com');
    const done = await loginUntil(t, (s) => s.phase !== 'waiting');
    expect(done.phase).toBe('succeeded');
    expect(done.failure).toBeNull();
    invalidateProbe(CONTEXT, t.pod!.uid);
    const probe = await probeAgent(
      { cluster: getCluster(CONTEXT), namespace: NS, pod: t.pod!.name, podUid: t.pod!.uid, container: 'openab' },
      { maxAgeMs: 0 },
    );
    expect(probe.login).toMatchObject({ kind: 'chatgpt', email: 'new-login@example.com' });

    expect(await claimLoginStep(t, done.loginId!, 'recorded', 'x')).toBe('claimed');
    expect(await claimLoginStep(t, done.loginId!, 'recorded', 'x')).toBe('taken');
    expect(await claimLoginStep(t, 'ffffffffffffffff', 'recorded', 'x')).toBe('gone');
    expect((await readLogin(t)).recorded).toBe(true);
    expect(await deviceLoginProcesses(t)).toEqual([]);

    // Codex revokes the current login when a new one starts (what the confirm dialog warns of).
    const revocations = async () =>
      ((await (await fetch(`${cluster.issuerUrl}/_test/pending`)).json()) as { revocations: number }).revocations;
    const revokedBefore = await revocations();
    const second = await startLogin(t, starter);
    expect(second.started).toBe(true);
    expect(await revocations()).toBe(revokedBefore + 1);
    invalidateProbe(CONTEXT, t.pod!.uid);
    const loggedOut = await probeAgent(
      { cluster: getCluster(CONTEXT), namespace: NS, pod: t.pod!.name, podUid: t.pod!.uid, container: 'openab' },
      { maxAgeMs: 0 },
    );
    expect(loggedOut.login.kind).toBe('not-logged-in');
    await cancelLogin(t, second.snapshot.loginId!);
  });

  it('a denied code fails with Codex own message and plain words', async () => {
    const t = await target('login-b');
    const { snapshot } = await startLogin(t, starter);
    await approve(snapshot.userCode!, '', 'deny');
    const done = await loginUntil(t, (s) => s.phase !== 'waiting');
    expect(done.phase).toBe('failed');
    expect(done.failure?.kind).toBe('denied-or-bad-request');
    expect(done.failure?.text).toMatch(/refused the code/);
    expect(done.failure?.message).toMatch(/Error logging in|device auth failed/i);

    // A finished login is replaced by a new one on the next start.
    const next = await startLogin(t, starter);
    expect(next.started).toBe(true);
    expect(next.snapshot.loginId).not.toBe(snapshot.loginId);
    expect(next.snapshot.userCode).not.toBe(snapshot.userCode);
    await cancelLogin(t, next.snapshot.loginId!);
  });

  it('cancel stops every process of the login in the pod', async () => {
    const t = await target('login-c');
    const { snapshot } = await startLogin(t, starter);
    expect(snapshot.phase).toBe('waiting');
    expect((await deviceLoginProcesses(t)).length).toBeGreaterThan(0);
    expect(await cancelLogin(t, 'ffffffffffffffff')).toEqual({ outcome: 'other', processesLeft: 0 });
    const result = await cancelLogin(t, snapshot.loginId!);
    expect(result).toEqual({ outcome: 'cancelled', processesLeft: 0 });
    expect(await deviceLoginProcesses(t)).toEqual([]);
    const after = await readLogin(t);
    expect(after.phase).toBe('cancelled');
    expect(after.userCode).toBe(snapshot.userCode);
    expect(await cancelLogin(t, snapshot.loginId!)).toMatchObject({ outcome: 'cancelled' });
  });

  it('a reader during the cancel never sees "cancelled" while a process of the login is left', async () => {
    const t = await target('login-c');
    const { snapshot } = await startLogin(t, starter);
    expect(snapshot.phase).toBe('waiting');
    // Codex that ignores TERM: the cancel needs its KILL step, seconds after it marked the login.
    await podShell(
      t,
      `for c in /proc/[0-9]*/cmdline; do if tr '\\000' '\\n' < "$c" | grep -qx -e --device-auth; then p=\${c#/proc/}; kill -STOP \${p%/cmdline}; fi; done; true`,
    );
    let done = false;
    const cancel = cancelLogin(t, snapshot.loginId!).finally(() => (done = true));
    const seen: string[] = [];
    while (!done) {
      const s = await readLogin(t);
      seen.push(s.phase);
      if (s.phase === 'cancelled') expect(await deviceLoginProcesses(t), 'processes left while the login reads as cancelled').toEqual([]);
    }
    expect(await cancel).toEqual({ outcome: 'cancelled', processesLeft: 0 });
    expect(seen).toContain('cancelling');
    expect((await readLogin(t)).phase).toBe('cancelled');
    expect(await deviceLoginProcesses(t)).toEqual([]);
  });

  it('a login process killed without a result is named, and a new start replaces it', async () => {
    const t = await target('login-c');
    const { snapshot } = await startLogin(t, starter);
    expect(snapshot.phase).toBe('waiting');
    await podShell(
      t,
      `kill -KILL $(cat /tmp/openab-dashboard/login/active/pid); for c in /proc/[0-9]*/cmdline; do if tr '\\000' '\\n' < "$c" | grep -qx -e --device-auth; then p=\${c#/proc/}; kill -KILL \${p%/cmdline}; fi; done; true`,
    );
    const s = await loginUntil(t, (x) => x.phase !== 'waiting');
    expect(s.phase).toBe('failed');
    expect(s.failure?.kind).toBe('vanished');
    const next = await startLogin(t, starter);
    expect(next.started).toBe(true);
    await cancelLogin(t, next.snapshot.loginId!);
  });

  it('says Codex is missing in plain words', async () => {
    const t = await target('login-e');
    const { started, snapshot } = await startLogin(t, starter);
    expect(started).toBe(true);
    expect(snapshot.phase).toBe('failed');
    expect(snapshot.failure?.kind).toBe('codex-missing');
    expect(snapshot.failure?.text).toBe('Codex is not installed in this container.');
  });

  it('says the pod cannot reach the login server', async () => {
    const t = await target('login-f');
    const { snapshot } = await startLogin(t, starter, { waitForCodeMs: 15_000 });
    const done = snapshot.phase === 'failed' ? snapshot : await loginUntil(t, (s) => s.phase === 'failed');
    expect(done.failure?.kind).toBe('no-network');
    expect(done.failure?.text).toBe('The pod could not reach the login server (no network egress?).');
    expect(done.failure?.message).toMatch(/error sending request/);
  });

  it('says the code expired when the login server says so', async () => {
    const t = await target('login-h');
    const { snapshot } = await startLogin(t, starter, { waitForCodeMs: 15_000 });
    const done = snapshot.phase === 'failed' ? snapshot : await loginUntil(t, (s) => s.phase === 'failed');
    expect(done.failure?.message).toBe('Error logging in: device auth failed with status 410 Gone');
    expect(done.failure?.kind).toBe('expired');
    expect(done.failure?.text).toMatch(/expired before it was approved/);
  });

  it('says device-code login is not enabled at the login server', async () => {
    const t = await target('login-g');
    const { snapshot } = await startLogin(t, starter, { waitForCodeMs: 15_000 });
    const done = snapshot.phase === 'failed' ? snapshot : await loginUntil(t, (s) => s.phase === 'failed');
    expect(done.failure?.message).toMatch(/not enabled/);
    expect(done.failure?.kind).toBe('device-login-disabled');
    expect(done.failure?.text).toBe('Device-code login is not enabled at the login server.');
  });

  it('two concurrent starts make one login', async () => {
    const t = await target('login-d');
    const [a, b] = await Promise.all([startLogin(t, starter), startLogin(t, { name: 'other', email: null, role: 'operator' })]);
    expect([a.started, b.started].sort()).toEqual([false, true]);
    expect(a.snapshot.loginId).toBe(b.snapshot.loginId);
    expect(a.snapshot.userCode).toBe(b.snapshot.userCode);
    const processes = await deviceLoginProcesses(t);
    // One login: one native Codex binary (Node 22, as in the image, execs it in place of the
    // launcher; older Node spawns it as the launcher's child).
    expect(processes.filter((p) => /\/vendor\/\S*\/codex login/.test(p))).toHaveLength(1);
    await cancelLogin(t, a.snapshot.loginId!);
  });

  it('says so when the pod restarted during the login', async () => {
    const t = await target('login-d');
    const { snapshot } = await startLogin(t, starter);
    const oldUid = t.pod!.uid;
    await apps.patchNamespacedDeployment(
      {
        namespace: NS,
        name: 'login-d',
        body: { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } } } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    const t2 = await until(
      () => resolveLoginTarget({ clusterId: CONTEXT, namespace: NS, name: 'login-d' }),
      (x) => Boolean(x.pod) && x.pod!.uid !== oldUid,
      30_000,
    );
    expect(t2.pod?.uid).not.toBe(oldUid);
    const now = await readLogin(t2);
    expect(now.phase).toBe('none');
    const { explainLostLogin } = await import('./login-state');
    const lost = explainLostLogin({ loginId: snapshot.loginId!, podUid: oldUid }, { snapshot: now, podUid: t2.pod!.uid });
    expect(lost?.failure?.kind).toBe('pod-restarted');
    expect(lost?.failure?.text).toMatch(/pod restarted/);
  });

  it('records start, success and cancel once, with who, and never the code or the link', async () => {
    const ref = { clusterId: CONTEXT, namespace: NS, name: 'login-i' };
    await target('login-i');
    // What the dashboard writes to its own log during the flow, kept to check below.
    const logged: string[] = [];
    let code = '';
    let secondCode = '';
    const original = { log: console.log, error: console.error };
    console.log = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    console.error = (...args: unknown[]) => void logged.push(args.map(String).join(' '));
    try {
      const operator = { name: 'Olga Operator', email: 'olga@example.com', role: 'operator' };
      const first = await startAgentLogin(ref, operator, { replaceLogin: false });
      expect(first.started).toBe(true);
      code = first.view.login.userCode!;
      await approve(code, 'audited@example.com');
      const view = await until(
        () => getLoginView(ref),
        (v) => v.login.phase === 'succeeded',
        25_000,
        300,
      );
      expect(view.login.phase).toBe('succeeded');
      expect(view.agentLogin).toMatchObject({ kind: 'chatgpt', email: 'audited@example.com' });
      // Two replicas looking at once still record the success once.
      await Promise.all([getLoginView(ref), getLoginView(ref)]);

      // Logged in now: a new login needs the confirmation, which says Codex revokes the current one.
      await expect(startAgentLogin(ref, operator, { replaceLogin: false })).rejects.toThrow(/already logged in .*revokes/);
      await expect(startAgentLogin(ref, operator, { replaceLogin: false })).rejects.toBeInstanceOf(LoginError);
      const second = await startAgentLogin(ref, operator, { replaceLogin: true });
      secondCode = second.view.login.userCode!;
      expect(second.started).toBe(true);
      const cancelled = await cancelAgentLogin(ref, { name: 'Carl', email: null, role: 'admin' }, second.view.login.loginId!);
      expect(cancelled.login.phase).toBe('cancelled');
    } finally {
      Object.assign(console, original);
    }
    expect(logged.filter((l) => l.includes('"msg":"audit"'))).toHaveLength(4);
    const kc = kubeConfig(cluster);
    const events = (await kc.makeApiClient(k8s.CoreV1Api).listNamespacedEvent({ namespace: NS })).items.filter(
      (e) => e.reason === 'OpenABDashboardAction' && e.involvedObject?.name === 'login-i',
    );
    const messages = events.map((e) => e.message ?? '');
    expect(messages.filter((m) => m === 'Olga Operator (operator): login-start started; Device-code login started.')).toHaveLength(1);
    expect(
      messages.filter((m) => m.startsWith('Olga Operator (operator): login-start started; Device-code login started; Codex revoked')),
    ).toHaveLength(1);
    expect(messages.filter((m) => m.startsWith('Olga Operator (operator): login success'))).toHaveLength(1);
    expect(messages.filter((m) => m.startsWith('Carl (admin): login-cancel cancelled'))).toHaveLength(1);
    const everything = JSON.stringify(events) + logged.join('\n');
    expect(everything).not.toContain(code);
    expect(everything).not.toContain(secondCode);
    expect(everything).not.toContain('/codex/device');
  });
});
