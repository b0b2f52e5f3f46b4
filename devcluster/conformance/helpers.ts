// Shared pieces for the conformance tests: a cluster per file and clients built
// only from the written kubeconfig, as a real user of the cluster would.
import * as k8s from '@kubernetes/client-node';
import { PassThrough, Readable } from 'node:stream';
import type { DevCluster } from '../cluster';
import { chartDeployment } from '../testing/chart-deployment';

export function kubeConfig(cluster: DevCluster, user: 'admin' | 'viewer' | 'support' | 'operator' | 'dashboard' = 'admin'): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfigPath);
  kc.setCurrentContext(`${user}@devcluster`);
  return kc;
}

/** An agent of the conformance tests: its bot token comes from its own Secret, as the chart's does. */
export function agentDeployment(name: string, extraLabels: Record<string, string> = {}): k8s.V1Deployment {
  return chartDeployment({
    name,
    labels: {
      'app.kubernetes.io/name': 'openab',
      'app.kubernetes.io/instance': 'test',
      'app.kubernetes.io/component': name,
      ...extraLabels,
    },
    image: 'ghcr.io/openabdev/openab-codex:0.7.3',
    claimName: name,
    env: [
      { name: 'HOME', value: '/home/node' },
      { name: 'DISCORD_BOT_TOKEN', valueFrom: { secretKeyRef: { name, key: 'discord-bot-token' } } },
    ],
  });
}

export async function createAgent(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
  extraLabels: Record<string, string> = {},
): Promise<void> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  await core.createNamespacedSecret({ namespace, body: { metadata: { name }, stringData: { 'discord-bot-token': `bot-token-${name}` } } });
  await core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: { metadata: { name }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } },
  });
  await apps.createNamespacedDeployment({ namespace, body: agentDeployment(name, extraLabels) });
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export async function readyPod(kc: k8s.KubeConfig, namespace: string, component: string): Promise<k8s.V1Pod> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  return waitFor(`a ready pod of ${component}`, async () => {
    const list = await core.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/component=${component}` });
    return list.items.find(
      (p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
  });
}

export interface ExecOutcome {
  stdout: Buffer;
  stderr: Buffer;
  status: k8s.V1Status;
  /** ms from the call to each stdout chunk. */
  chunkTimes: number[];
}

export async function execIn(
  kc: k8s.KubeConfig,
  namespace: string,
  pod: string,
  command: string[],
  stdinData?: Buffer | string,
  timeoutMs = 60_000,
): Promise<ExecOutcome> {
  const exec = new k8s.Exec(kc);
  const out = new PassThrough();
  const err = new PassThrough();
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const chunkTimes: number[] = [];
  const t0 = Date.now();
  out.on('data', (c: Buffer) => {
    stdout.push(c);
    chunkTimes.push(Date.now() - t0);
  });
  err.on('data', (c: Buffer) => stderr.push(c));
  const stdin = stdinData === undefined ? null : Readable.from([Buffer.from(stdinData)]);
  const status = await new Promise<k8s.V1Status>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exec ${command.join(' ')} timed out`)), timeoutMs);
    exec
      .exec(namespace, pod, 'openab', command, out, err, stdin, false, (s) => {
        clearTimeout(timer);
        resolve(s);
      })
      .then((ws) => ws.on('close', () => setTimeout(() => reject(new Error('exec socket closed without a status')), 2000).unref()))
      .catch((e) => {
        clearTimeout(timer);
        reject(e);
      });
  });
  // The status frame can overtake the last output frames being drained from the streams.
  await new Promise((r) => setImmediate(r));
  return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), status, chunkTimes };
}

/** A plain HTTPS request trusting the cluster CA from the kubeconfig (for control endpoints and raw headers). */
export async function rawFetch(
  cluster: DevCluster,
  token: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; json: any; text: string }> {
  const { Agent, fetch } = await import('undici');
  const kc = kubeConfig(cluster);
  const ca = Buffer.from(kc.getCurrentCluster()!.caData!, 'base64').toString();
  const res = await fetch(`${cluster.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      Authorization: `Bearer ${token}`,
      ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...(init.headers ?? {}),
    },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    dispatcher: new Agent({ connect: { ca } }),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}
