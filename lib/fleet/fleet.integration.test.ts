// The fleet through the real client against the dev cluster with the demo seed: every seeded
// agent reads as seeded, no token byte crosses the exec channel, failures stay per agent.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { kubeConfig } from '../../devcluster/conformance/helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevCluster } from '../../devcluster/cluster';
import { buildSeed } from '../../devcluster/seed';
import type { SeedAgent } from '../../devcluster/seed/types';
import { resetSettings } from '../settings';
import { resetClusters } from '../k8s/clusters';
import { DASHBOARD_CONTEXT, startTestCluster, until, type DevClusterControl, type TestCluster } from '../testing/devcluster';
import { getFleet, overviewFleet, type Fleet, type FleetAgent } from './fleet';

let testCluster: TestCluster;
let cluster: DevCluster;
let truth: SeedAgent[];
let markers: string[];
let control: DevClusterControl;
let scratch: string;

function useKubeconfig(file: string, context = DASHBOARD_CONTEXT) {
  testCluster.pointApp({ KUBECONFIG: file, KUBE_CONTEXTS: context, PROBE_CACHE_MS: '1', PROBE_REFRESH_MS: '1000' });
}

beforeAll(async () => {
  testCluster = await startTestCluster('fleet', { seed: 'demo' });
  ({ cluster, control, scratch } = testCluster);
  const seed = await buildSeed('demo', { dataDir: path.join(scratch, 'truth') });
  truth = seed.agents ?? [];
  // The probe reduces auth.json inside the pod: none of its tokens and keys may cross the exec
  // channel. (config.toml does cross it, to be parsed on the server; it is never shown raw.)
  const authFiles = Object.values(seed.volumes).map((dir) => {
    try {
      return readFileSync(path.join(dir, '.codex/auth.json'), 'utf8') as string;
    } catch {
      return '';
    }
  });
  markers = (seed.secretMarkers ?? []).filter((m) => authFiles.some((f) => f.includes(m)));
  // Releases with several agents (codex-2, ...) need a selector beyond the default.
  testCluster.pointApp({ AGENT_SELECTOR: seed.codexSelector });
  useKubeconfig(cluster.kubeconfigPath);
  // The crash-looping agent needs a moment to crash for the first time; from then on it reads
  // as crash-looping, also while its container briefly runs between back-offs.
  const looping = truth.find((a) => a.crashLooping)!;
  await until(
    async () => byName((await getFleet()).agents, looping),
    (agent) => Boolean(agent?.workload.pods.some((p) => p.crashLooping)),
    30_000,
  );
}, 120_000);

afterAll(async () => {
  await testCluster?.stop();
});

function byName(agents: FleetAgent[], a: SeedAgent) {
  return agents.find((x) => x.workload.namespace === a.namespace && x.workload.name === a.name);
}

describe('the fleet on the demo cluster', () => {
  it('lists every seeded Codex agent and nothing else', async () => {
    const fleet = await getFleet();
    expect(fleet.error).toBeNull();
    const names = fleet.agents.map((a) => `${a.workload.namespace}/${a.workload.name}`).sort();
    const expected = truth
      .filter((a) => a.codex)
      .map((a) => `${a.namespace}/${a.name}`)
      .sort();
    expect(names).toEqual(expected);
    expect(truth.some((a) => !a.codex)).toBe(true);
  });

  it('reads each agent as seeded: login, approval, image generation, images', async () => {
    const fleet = await getFleet();
    for (const seeded of truth.filter((a) => a.codex)) {
      const agent = byName(fleet.agents, seeded)!;
      const where = `${seeded.namespace}/${seeded.name}`;
      if (seeded.crashLooping) {
        expect(agent.problem, where).toMatch(/crash-looping/);
        expect(agent.attention, where).toContain('crash-looping');
        continue;
      }
      expect(agent.problem, where).toBeNull();
      const p = agent.probe!;
      switch (seeded.login) {
        case 'chatgpt':
          expect(p.login, where).toMatchObject({ kind: 'chatgpt', email: seeded.email, plan: seeded.plan, expiry: 'ok' });
          break;
        case 'expiring':
          expect(p.login, where).toMatchObject({ kind: 'chatgpt', expiry: 'soon' });
          break;
        case 'expired':
          expect(p.login, where).toMatchObject({ kind: 'chatgpt', expiry: 'expired' });
          expect(agent.attention, where).toContain('login expired');
          break;
        case 'apikey':
          expect(p.login, where).toEqual({ kind: 'apikey', masked: seeded.apiKeyMasked });
          break;
        case 'none':
          expect(p.login.kind, where).toBe('not-logged-in');
          break;
        case 'unreadable':
          expect(p.login.kind, where).toBe('unreadable');
          break;
      }
      if (seeded.configLoads) {
        expect(p.approval, where).toMatchObject(
          seeded.approval === 'guide-sandbox'
            ? { ok: true, mode: 'default', guideMistake: { kind: 'sandbox-table', meant: 'auto-review' } }
            : { ok: true, mode: seeded.approval },
        );
        expect(p.imageGeneration, where).toBe(seeded.imageGeneration);
        expect(p.codexVersion, where).toBe(seeded.codexVersion);
      } else {
        expect(p.codexError, where).toMatch(/config/i);
      }
      expect(p.images.count, where).toBe(seeded.images);
      expect(p.codexHome, where).toBe(`${seeded.homeDir}/.codex`);
    }
  });

  it('sends the overview only the feature its cards show, and leaves the fleet it was given as it was', async () => {
    const fleet = await getFleet();
    const full = fleet.agents.filter((a) => (a.probe?.features?.length ?? 0) > 10);
    expect(full.length).toBeGreaterThan(0);
    const sizes = full.map((a) => a.probe!.features!.length);
    const slim = overviewFleet(fleet);
    for (const a of slim.agents.filter((x) => x.probe?.features)) {
      expect(a.probe!.features!.map((f) => f.name)).toEqual(['image_generation']);
      expect(a.probe!.imageGeneration).toBe(a.probe!.features![0].enabled);
    }
    expect(full.map((a) => a.probe!.features!.length)).toEqual(sizes);
    expect(JSON.stringify(slim).length).toBeLessThan(JSON.stringify(fleet).length / 3);
  });

  it('sends no byte of any auth.json token or key across the exec channel', async () => {
    await control.recordExecs(true);
    process.env.PROBE_CACHE_MS = '1';
    const { resetProbeCacheForTests } = await import('./probe');
    resetProbeCacheForTests();
    await getFleet();
    const recording = JSON.stringify(await control.execRecording());
    await control.recordExecs(false);
    expect(recording.length).toBeGreaterThan(1000);
    expect(markers.length).toBeGreaterThan(5);
    const decoded = Buffer.from(recording).toString('utf8') + extractBase64(recording);
    for (const marker of markers) expect(decoded.includes(marker), `marker ${marker.slice(0, 6)}…`).toBe(false);
  });

  it('shares one probe between concurrent requests and reuses the fingerprint when nothing changed', async () => {
    const { resetProbeCacheForTests } = await import('./probe');
    resetProbeCacheForTests();
    process.env.PROBE_CACHE_MS = '60000';
    resetSettings();
    cluster.resetStats();
    const [a, b] = await Promise.all([getFleet(), getFleet()]);
    const running = a.agents.filter((x) => x.probe).length;
    expect(b.agents.filter((x) => x.probe).length).toBe(running);
    expect(cluster.stats().execs).toBe(running);
    process.env.PROBE_CACHE_MS = '1';
    resetSettings();
  });

  it('says why when an agent has no openab container, while the rest renders', async () => {
    const kc = kubeConfig(cluster);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const labels = { 'app.kubernetes.io/name': 'openab', 'app.kubernetes.io/instance': 'odd', 'app.kubernetes.io/component': 'codex' };
    await apps.createNamespacedDeployment({
      namespace: 'agents',
      body: {
        metadata: { name: 'odd-openab-codex', labels },
        spec: {
          replicas: 1,
          strategy: { type: 'Recreate' },
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'main', image: 'busybox' }] } },
        },
      },
    });
    const agent = await until(
      async () => (await getFleet()).agents.find((a) => a.workload.name === 'odd-openab-codex'),
      (a) => Boolean(a?.pod),
      15_000,
    );
    expect(agent?.problem).toMatch(/no "openab" container/);
    await apps.deleteNamespacedDeployment({ namespace: 'agents', name: 'odd-openab-codex' });
  });

  it('says so for a pod without Codex and for an enormous auth.json, in plain words', async () => {
    const kc = kubeConfig(cluster);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const make = async (instance: string, env: Array<{ name: string; value: string }>) => {
      const labels = { 'app.kubernetes.io/name': 'openab', 'app.kubernetes.io/instance': instance, 'app.kubernetes.io/component': 'codex' };
      await apps.createNamespacedDeployment({
        namespace: 'agents',
        body: {
          metadata: { name: `${instance}-openab-codex`, labels },
          spec: {
            replicas: 1,
            strategy: { type: 'Recreate' },
            selector: { matchLabels: labels },
            template: {
              metadata: { labels },
              spec: { containers: [{ name: 'openab', image: 'plain', env: [{ name: 'HOME', value: '/home/node' }, ...env] }] },
            },
          },
        },
      });
    };
    // An image without Codex (and without node): nothing on PATH provides them.
    await make('nocodex', [{ name: 'PATH', value: '/usr/bin:/bin' }]);
    await make('bigauth', []);
    const waitRunning = async (name: string) => {
      const a = await until(
        async () => (await getFleet()).agents.find((x) => x.workload.name === name),
        (x) => Boolean(x?.pod),
        30_000,
      );
      if (!a?.pod) throw new Error(`${name} never ran`);
      return a;
    };
    const bigPod = (await waitRunning('bigauth-openab-codex')).pod!.name;
    const exec = new k8s.Exec(kc);
    const { PassThrough, Writable } = await import('node:stream');
    const stdin = new PassThrough();
    await new Promise<void>((resolve, reject) => {
      exec
        .exec(
          'agents',
          bigPod,
          'openab',
          ['sh', '-c', 'mkdir -p "$HOME/.codex" && cat > "$HOME/.codex/auth.json"'],
          new Writable({ write: (_c, _e, cb) => cb() }),
          null,
          stdin,
          false,
          (st) => (st.status === 'Success' ? resolve() : reject(new Error(st.message))),
        )
        .catch(reject);
      stdin.end(Buffer.alloc(3 * 1024 * 1024, 'a'));
    });
    // Pages show what was last seen; the changed file shows within the refresh interval (1 s here).
    // (A background probe that ran while the file was being written may first see it half written.)
    const bigLogin = (f: Fleet) => JSON.stringify(f.agents.find((x) => x.workload.name === 'bigauth-openab-codex')?.probe?.login ?? null);
    const fleet = await until(getFleet, (f) => /too large/.test(bigLogin(f)), 10_000, 200);
    const noCodex = fleet.agents.find((x) => x.workload.name === 'nocodex-openab-codex')!;
    expect(noCodex.probe?.codexMissing ?? false, JSON.stringify(noCodex.problem)).toBe(true);
    expect(noCodex.probe?.codexError).toMatch(/Codex is not installed/);
    expect(noCodex.attention).toContain('Codex missing');
    const big = fleet.agents.find((x) => x.workload.name === 'bigauth-openab-codex')!;
    expect(big.probe?.login).toMatchObject({ kind: 'unreadable', reason: expect.stringMatching(/too large/) });
    for (const name of ['nocodex-openab-codex', 'bigauth-openab-codex'])
      await apps.deleteNamespacedDeployment({ namespace: 'agents', name });
  });

  it('watches only the namespaces it is told to, with the selector it is given', async () => {
    process.env.WATCH_NAMESPACES = 'team-b';
    resetSettings();
    const fleet = await getFleet();
    expect(fleet.agents.length).toBe(truth.filter((a) => a.codex && a.namespace === 'team-b').length);
    delete process.env.WATCH_NAMESPACES;
    const saved = process.env.AGENT_SELECTOR;
    process.env.AGENT_SELECTOR = 'app.kubernetes.io/name=openab,app.kubernetes.io/component=kiro';
    resetSettings();
    const kiro = await getFleet();
    expect(kiro.agents.map((a) => a.workload.name)).toEqual(truth.filter((a) => !a.codex).map((a) => a.name));
    process.env.AGENT_SELECTOR = saved;
    resetSettings();
  });

  it('explains a 403 from the API in plain words', async () => {
    const policy = await control.call<unknown>('GET', '/_devcluster/rbac');
    await control.call('PUT', '/_devcluster/rbac', denyPodListFor(policy));
    try {
      // A running watch outlives a policy change (as on a real API server); a dashboard that
      // starts under this policy cannot fill its cache, and says why.
      resetClusters();
      const fleet = await getFleet();
      expect(fleet.clusters[0].error).toMatch(/refused .*\(403\).*Ask an admin/);
    } finally {
      await control.call('DELETE', '/_devcluster/rbac');
      resetClusters();
    }
  });

  it('answers an unreachable cluster and a refused token in plain words', async () => {
    const bad = path.join(scratch, 'unreachable.yaml');
    writeFileSync(
      bad,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n    server: https://127.0.0.1:1\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    token: x\ncontexts:\n- name: gone\n  context:\n    cluster: gone\n    user: u\ncurrent-context: gone\n`,
    );
    useKubeconfig(bad, 'gone');
    const down = await getFleet();
    expect(down.clusters[0].error).toMatch(/cannot be reached/);

    const wrongToken = path.join(scratch, 'wrong-token.yaml');
    const text = readFileSync(cluster.kubeconfigPath, 'utf8').replace(cluster.tokens.dashboard, 'not-a-valid-token');
    writeFileSync(wrongToken, text);
    useKubeconfig(wrongToken);
    const refused = await getFleet();
    expect(refused.clusters[0].error).toMatch(/did not accept the dashboard's credentials/);
    useKubeconfig(cluster.kubeconfigPath);
  });
});

/** The dev cluster's current policy without the dashboard's right to list pods. */
function denyPodListFor(policy: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(policy));
  const visit = (node: any): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === 'object') {
      if (
        Array.isArray(node.verbs) &&
        Array.isArray(node.resources) &&
        node.resources.includes('pods') &&
        JSON.stringify(copy).includes('openab-dashboard')
      ) {
        node.verbs = node.verbs.filter((v: string) => v !== 'list' && v !== '*');
      }
      Object.values(node).forEach(visit);
    }
  };
  visit(copy);
  return copy;
}

/** Exec recordings carry bytes as base64: decode every long base64 run too. */
function extractBase64(json: string): string {
  return (json.match(/[A-Za-z0-9+/=]{16,}/g) ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8')).join('\n');
}
