// Exec through the unmodified @kubernetes/client-node: exit codes, stdin,
// incremental output, 20 MB byte-exact, the real Codex CLI, refusals, knobs.
import * as k8s from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../cluster';
import { createAgent, execIn, kubeConfig, rawFetch, readyPod, waitFor } from './helpers';

let cluster: DevCluster;
let kc: k8s.KubeConfig;
let pod: string;
const NS = 'exec';

beforeAll(async () => {
  cluster = await startDevCluster({ seed: 'empty', quiet: true, podReadyDelayMs: 200, podTerminationDelayMs: 200 });
  kc = kubeConfig(cluster);
  await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
  await createAgent(kc, NS, 'runner');
  await createAgent(kc, NS, 'broken');
  pod = (await readyPod(kc, NS, 'runner')).metadata!.name!;
});

afterAll(async () => {
  await cluster?.stop();
});

describe('exec', () => {
  it('returns Success, NonZeroExitCode with the exit code, and InternalError for a missing binary', async () => {
    const ok = await execIn(kc, NS, pod, ['sh', '-c', 'echo hello; echo oops >&2']);
    expect(ok.status.status).toBe('Success');
    expect(ok.stdout.toString()).toBe('hello\n');
    expect(ok.stderr.toString()).toBe('oops\n');
    const bad = await execIn(kc, NS, pod, ['sh', '-c', 'exit 3']);
    expect(bad.status).toMatchObject({
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    const missing = await execIn(kc, NS, pod, ['no-such-binary-here']);
    expect(missing.status).toMatchObject({ status: 'Failure', reason: 'InternalError' });
  });

  it('passes stdin through and runs in the pod home with the resolved env', async () => {
    const r = await execIn(kc, NS, pod, ['sh', '-c', 'cat; echo "|$HOME|$DISCORD_BOT_TOKEN|$(pwd)"'], 'from stdin\n');
    expect(r.status.status).toBe('Success');
    expect(r.stdout.toString()).toBe('from stdin\n|/home/node|bot-token-runner|/home/node\n');
  });

  it('delivers output incrementally', async () => {
    const r = await execIn(kc, NS, pod, ['sh', '-c', 'echo first; sleep 1; echo second']);
    expect(r.stdout.toString()).toBe('first\nsecond\n');
    expect(r.chunkTimes.length).toBeGreaterThanOrEqual(2);
    expect(r.chunkTimes[r.chunkTimes.length - 1] - r.chunkTimes[0]).toBeGreaterThan(700);
  });

  it('streams 20 MB of binary stdout byte-exact', async () => {
    const made = await execIn(kc, NS, pod, ['sh', '-c', 'head -c 20971520 /dev/urandom > /tmp/blob && sha256sum /tmp/blob']);
    expect(made.status.status).toBe('Success');
    const expected = made.stdout.toString().split(' ')[0];
    const r = await execIn(kc, NS, pod, ['cat', '/tmp/blob']);
    expect(r.status.status).toBe('Success');
    expect(r.stdout.length).toBe(20971520);
    expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(expected);
  });

  it('runs the real Codex CLI', async () => {
    const r = await execIn(kc, NS, pod, ['codex', '--version']);
    expect(r.status.status).toBe('Success');
    expect(r.stdout.toString()).toMatch(/codex-cli 0\.169\.0/);
  });

  it('refuses a missing pod, an unknown container, a crash-looping pod, and callers without pods/exec', async () => {
    await expect(execIn(kc, NS, 'nope', ['true'])).rejects.toThrow(/404/);
    const exec = new k8s.Exec(kc);
    await expect(exec.exec(NS, pod, 'sidecar', ['true'], null, null, null, false)).rejects.toThrow(/400/);
    const ctl = await rawFetch(cluster, cluster.tokens.admin, '/_devcluster/crashloop', {
      method: 'POST',
      body: { namespace: NS, deployment: 'broken', on: true },
    });
    expect(ctl.status).toBe(200);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const crashing = await waitFor('a crash-looping pod with restarts', async () => {
      const pods = await core.listNamespacedPod({ namespace: NS, labelSelector: 'app.kubernetes.io/component=broken' });
      return pods.items.find(
        (p) =>
          !p.metadata!.deletionTimestamp &&
          (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 &&
          p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
      );
    });
    expect(crashing.status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('False');
    const prev = await core.readNamespacedPodLog({ namespace: NS, name: crashing.metadata!.name!, previous: true });
    expect(prev.trimEnd().split('\n').at(-1)).toMatch(/Error/);
    await expect(execIn(kc, NS, crashing.metadata!.name!, ['true'])).rejects.toThrow(/400/);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await apps.patchNamespacedDeployment(
      { namespace: NS, name: 'broken', body: { spec: { progressDeadlineSeconds: 1 } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const stuck = await waitFor('ProgressDeadlineExceeded', async () => {
      const d = await apps.readNamespacedDeployment({ namespace: NS, name: 'broken' });
      return d.status?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded') ? d : undefined;
    });
    expect(stuck.status!.unavailableReplicas).toBe(1);
    expect(stuck.status!.conditions!.find((c) => c.type === 'Available')!.status).toBe('False');
    await expect(execIn(kubeConfig(cluster, 'viewer'), NS, pod, ['true'])).rejects.toThrow(/403/);
    expect((await execIn(kubeConfig(cluster, 'support'), NS, pod, ['true'])).status.status).toBe('Success');
  });

  it('counts requests and execs, adds exec latency, and injects faults', async () => {
    cluster.resetStats();
    await execIn(kc, NS, pod, ['true']);
    expect(cluster.stats().execs).toBe(1);
    expect(cluster.stats().requests).toBeGreaterThanOrEqual(1);
    await rawFetch(cluster, cluster.tokens.admin, '/_devcluster/knobs', { method: 'POST', body: { execLatencyMs: 400 } });
    const t0 = Date.now();
    await execIn(kc, NS, pod, ['true']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    await rawFetch(cluster, cluster.tokens.admin, '/_devcluster/knobs', {
      method: 'POST',
      body: {
        execLatencyMs: 0,
        faults: [
          { pathRegex: '/pods$', verb: 'list', status: 429, count: 1 },
          { pathRegex: '/deployments', status: 500, count: 1 },
        ],
      },
    });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await expect(core.listNamespacedPod({ namespace: NS })).rejects.toMatchObject({ code: 429 });
    expect((await core.listNamespacedPod({ namespace: NS })).items.length).toBeGreaterThan(0);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await expect(apps.listNamespacedDeployment({ namespace: NS })).rejects.toMatchObject({ code: 500 });
    expect((await apps.listNamespacedDeployment({ namespace: NS })).items.length).toBe(2);
    const stats = await rawFetch(cluster, cluster.tokens.admin, '/_devcluster/stats');
    expect(stats.json.execs).toBe(2);
  });

  it('records exec output when asked, so a test can prove what crossed the channel', async () => {
    await rawFetch(cluster, cluster.tokens.admin, '/_devcluster/exec-recording', { method: 'POST', body: { on: true } });
    await execIn(kc, NS, pod, ['sh', '-c', 'printf out; printf err >&2']);
    const rec = await rawFetch(cluster, cluster.tokens.admin, '/_devcluster/exec-recording');
    expect(rec.json.records).toHaveLength(1);
    expect(Buffer.from(rec.json.records[0].stdout, 'base64').toString()).toBe('out');
    expect(Buffer.from(rec.json.records[0].stderr, 'base64').toString()).toBe('err');
    await rawFetch(cluster, cluster.tokens.admin, '/_devcluster/exec-recording', { method: 'POST', body: { on: false } });
  });

  it('drops an exec when told to', async () => {
    await rawFetch(cluster, cluster.tokens.admin, '/_devcluster/knobs', {
      method: 'POST',
      body: { execFault: { kind: 'drop', count: 1 } },
    });
    await expect(execIn(kc, NS, pod, ['sh', '-c', 'echo x; sleep 2'], undefined, 5000)).rejects.toThrow(
      /closed without a status|timed out/,
    );
    expect((await execIn(kc, NS, pod, ['true'])).status.status).toBe('Success');
  });
});
