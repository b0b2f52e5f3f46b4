// Starts the whole dev cluster: TLS, the fake issuer and Discord, the seed, the
// pod runtime, the API server, and writes the kubeconfig and a state file.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { ClusterController } from './api/controller';
import { ExecRecorder, Knobs } from './api/knobs';
import { prepareCreate } from './api/objects';
import { DASHBOARD_SA, defaultPolicy, RbacAuthorizer, type UserInfo } from './api/rbac';
import { DASHBOARD_NAMESPACE } from './api/dashboard-home';
import { typeByKind } from './api/resources';
import { ApiServer } from './api/server';
import { ObjectStore } from './api/store';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig';
import { makeServerTls } from './tls';
import { createPodRuntime } from './runtime/index';
import type { PodIsolation, PodRuntime } from './runtime/types';
import { startFakeDiscord, type FakeDiscord } from './discord/index';
import { startFakeIssuer, type FakeIssuer } from './issuer/index';
import { startFakeWebhooks, type FakeWebhooks } from './webhooks/index';
import { buildSeed } from './seed/index';

export interface DevClusterOptions {
  /** 0 = a random free port. */
  port?: number;
  host?: string;
  kubeconfigPath?: string;
  /** Default: `devcluster.json` beside the kubeconfig. */
  statePath?: string;
  seed?: 'demo' | 'empty';
  agents?: number;
  latencyMs?: number;
  execLatencyMs?: number;
  /** Time from Running to Ready. */
  podReadyDelayMs?: number;
  /** Time a deleted pod stays Terminating. */
  podTerminationDelayMs?: number;
  /** Mean time between new log lines of a running pod (default 5000). */
  logIntervalMs?: number;
  /** Force plain process-group pods (isolation off). */
  isolated?: boolean;
  quiet?: boolean;
}

export interface DevClusterTokens {
  admin: string;
  viewer: string;
  support: string;
  operator: string;
  dashboard: string;
}

export interface DevCluster {
  url: string;
  kubeconfigPath: string;
  statePath: string;
  tokens: DevClusterTokens;
  issuerUrl: string;
  discordUrl: string;
  discordBotToken: string;
  isolation: PodIsolation;
  /** Pods run on the pods' image (OpenAB's Dockerfile.codex, from Debian packages), not the host's system. */
  onImage: boolean;
  /** In-process handles: approve/deny device logins, read what Discord received. */
  issuer: FakeIssuer;
  discord: FakeDiscord;
  /** The fake notification webhooks (Slack, Discord, generic JSON): what the dashboard posted. */
  webhooks: FakeWebhooks;
  /** ms from start to serving with every seeded pod out of Pending. */
  startupMs: number;
  stats(): { requests: number; execs: number };
  resetStats(): void;
  stop(): Promise<void>;
}

interface Closable {
  url: string;
  close(): Promise<void>;
}

const KIND_ORDER = ['Namespace', 'Secret', 'ConfigMap', 'PersistentVolumeClaim', 'Pod', 'Deployment'];

export async function startDevCluster(opts: DevClusterOptions = {}): Promise<DevCluster> {
  const started = Date.now();
  const log = (m: string) => {
    if (!opts.quiet) process.stderr.write(`devcluster: ${m}\n`);
  };
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'devcluster-'));
  const cleanups: Array<() => Promise<unknown>> = [() => rm(tmp, { recursive: true, force: true })];
  const host = opts.host ?? '127.0.0.1';
  const kubeconfigPath = path.resolve(opts.kubeconfigPath ?? path.join(tmp, 'kubeconfig'));
  const statePath = path.resolve(opts.statePath ?? path.join(path.dirname(kubeconfigPath), 'devcluster.json'));
  const newToken = () => randomBytes(24).toString('hex');
  const tokens: DevClusterTokens = {
    admin: newToken(),
    viewer: newToken(),
    support: newToken(),
    operator: newToken(),
    dashboard: newToken(),
  };
  const identities = new Map<string, UserInfo>([
    [tokens.admin, { name: 'admin', groups: ['system:masters', 'system:authenticated'] }],
    [tokens.viewer, { name: 'viewer', groups: ['system:authenticated'] }],
    [tokens.support, { name: 'support', groups: ['system:authenticated'] }],
    [tokens.operator, { name: 'operator', groups: ['system:authenticated'] }],
    [
      tokens.dashboard,
      { name: DASHBOARD_SA, groups: ['system:serviceaccounts', 'system:serviceaccounts:openab-dashboard', 'system:authenticated'] },
    ],
  ]);

  let runtime: PodRuntime | null = null;
  let controller: ClusterController | null = null;
  let server: Server | null = null;
  const services: Closable[] = [];
  const stopAll = async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((r) => server!.close(() => r()));
    }
    await controller?.shutdown();
    await runtime?.shutdown();
    await Promise.all(services.map((s) => s.close().catch(() => undefined)));
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };

  try {
    await Promise.all(['tls', 'data', 'runtime'].map((d) => mkdir(path.join(tmp, d))));
    const [tls, issuer, seed] = await Promise.all([
      makeServerTls(path.join(tmp, 'tls')),
      startFakeIssuer(),
      buildSeed(opts.seed ?? 'demo', { dataDir: path.join(tmp, 'data'), agents: opts.agents }),
    ]);
    services.push(issuer);
    const [rt, discord, webhooks] = await Promise.all([
      createPodRuntime({
        tmpDir: path.join(tmp, 'runtime'),
        issuerUrl: issuer.url,
        isolated: opts.isolated,
        log: (line) => console.error(`devcluster: ${line}`),
      }),
      startFakeDiscord(seed.discord),
      startFakeWebhooks({ log }),
    ]);
    runtime = rt;
    services.push(discord, webhooks);

    const store = new ObjectStore();
    const knobs = new Knobs();
    knobs.update({ latencyMs: opts.latencyMs, execLatencyMs: opts.execLatencyMs });
    const rbac = new RbacAuthorizer(defaultPolicy());
    const recorder = new ExecRecorder();
    controller = new ClusterController({
      store,
      runtime,
      volumes: { ...seed.volumes },
      dataDir: path.join(tmp, 'data'),
      podReadyDelayMs: opts.podReadyDelayMs ?? 1500,
      podTerminationDelayMs: opts.podTerminationDelayMs ?? 600,
      logIntervalMs: opts.logIntervalMs,
      crashLooping: seed.crashLooping,
      log,
    });
    let url = '';
    const api = new ApiServer({
      store,
      controller,
      rbac,
      tokens: identities,
      knobs,
      recorder,
      serverAddress: () => url.replace(/^https:\/\//, ''),
      log,
    });

    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease', DASHBOARD_NAMESPACE])
      store.create('namespaces', prepareCreate(typeByKind('Namespace')!, { metadata: { name: ns } }, undefined));
    const objects = [...seed.objects].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));
    for (const o of objects) {
      const t = typeByKind(o.kind);
      if (!t) {
        log(`seed: skipping unsupported kind ${o.kind}`);
        continue;
      }
      const obj = prepareCreate(t, structuredClone(o), t.namespaced ? (o.metadata?.namespace ?? 'default') : undefined);
      if (store.get(t.resource, obj.metadata.namespace, obj.metadata.name)) continue;
      if (obj.metadata.namespace && !store.get('namespaces', undefined, obj.metadata.namespace))
        store.create('namespaces', prepareCreate(typeByKind('Namespace')!, { metadata: { name: obj.metadata.namespace } }, undefined));
      store.create(t.resource, obj);
      if (t.resource === 'deployments') controller.deploymentChanged(obj.metadata.namespace, obj.metadata.name);
      if (t.resource === 'pods') controller.podCreated(obj);
    }

    server = createServer({ key: tls.keyPem, cert: tls.certPem, keepAliveTimeout: 65_000 }, (req, res) => void api.handle(req, res));
    server.on('upgrade', (req, socket, head) => void api.handleUpgrade(req, socket, head));
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(opts.port ?? 0, host, () => {
        server!.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    url = `https://${host}:${port}`;

    await writeKubeconfig(kubeconfigPath, renderKubeconfig({ server: url, caPem: tls.caPem, tokens: { ...tokens }, currentUser: 'admin' }));
    cleanups.push(() => rm(kubeconfigPath, { force: true }));
    // The seed's truth (what a correct dashboard shows per agent; no secrets in it) lets tests in
    // other processes compare against what is really in the pods.
    const state = {
      url,
      issuerUrl: issuer.url,
      discordUrl: discord.url,
      webhooks: { url: webhooks.url, urls: webhooks.urls },
      discordBotToken: seed.discord.botToken,
      tokens,
      isolation: runtime.isolation,
      onImage: runtime.onImage,
      pid: process.pid,
      kubeconfig: kubeconfigPath,
      seed: { agents: seed.agents ?? [], codexSelector: seed.codexSelector ?? null },
    };
    await mkdir(path.dirname(statePath), { recursive: true });
    await writeFile(statePath, JSON.stringify(state, null, 2), { mode: 0o600 });
    cleanups.push(() => rm(statePath, { force: true }));

    // Pods start in parallel; serving counts as started once none is still Pending.
    await controller.podsSettled(15_000);
    const startupMs = Date.now() - started;
    let stopping: Promise<void> | null = null;
    return {
      url,
      kubeconfigPath,
      statePath,
      tokens,
      issuerUrl: issuer.url,
      discordUrl: discord.url,
      discordBotToken: seed.discord.botToken,
      isolation: runtime.isolation,
      onImage: runtime.onImage,
      issuer,
      discord,
      webhooks,
      startupMs,
      stats: () => ({ requests: knobs.requests, execs: knobs.execs }),
      resetStats: () => knobs.resetStats(),
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
