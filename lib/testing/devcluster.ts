// What every integration test in lib/ needs around its own assertions: a dev cluster of its own,
// the app pointed at it as a fresh process would be, a fleet that has settled, RBAC granted
// through the dev cluster's control endpoint, and a bounded wait.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDevCluster, type DevCluster, type DevClusterOptions } from '../../devcluster/cluster';
import type { PolicyBinding, PolicyRule } from '../../devcluster/api/rbac';
import { devClusterClient } from '../../scripts/devcluster-client';
import type { DevClusterState } from '../../scripts/stack';
import { resetSessionStoreCache } from '../auth/session-store';
import { getFleet, type Fleet, type FleetAgent } from '../fleet/fleet';
import { resetProbeCacheForTests } from '../fleet/probe';
import { resetImageCacheForTests } from '../images/gallery-service';
import { resetGalleryForTests } from '../images/gallery';
import { resetInventoryCacheForTests } from '../images/inventory';
import { resetClusters } from '../k8s/clusters';
import { resetExecChecksForTests } from '../k8s/impersonation';
import { resetDiscordCacheForTests } from '../readiness/discord-check';
import { resetReadinessCachesForTests } from '../readiness/service';
import { resetSettings } from '../settings';

/** The dev cluster's context for the dashboard's own service account. */
export const DASHBOARD_CONTEXT = 'dashboard@devcluster';
/** Every seeded Codex agent (the chart's default selector only matches agents keyed `codex`). */
export const EVERY_CODEX_AGENT = 'app.kubernetes.io/name=openab,app.kubernetes.io/component in (codex,codex-2,codex-3,codex-4)';
/** The dashboard's service account, as the chart installs it. */
export const DASHBOARD_ACCOUNT = { kind: 'ServiceAccount', name: 'openab-dashboard', namespace: 'openab-dashboard' } as const;

export type DevClusterControl = ReturnType<typeof devClusterClient>;

export interface TestCluster {
  cluster: DevCluster;
  /** The control endpoints (stats, knobs, RBAC), as the cluster's admin. */
  control: DevClusterControl;
  /** What the cluster wrote about itself (URLs, tokens, the seed). */
  state: DevClusterState;
  /** A folder of this test file's own, removed by stop(). */
  scratch: string;
  /** Points the app at this cluster (KUBECONFIG, KUBE_CONTEXTS and `env`; undefined unsets) and forgets every cache. */
  pointApp(env?: Record<string, string | undefined>): void;
  /** Puts back every variable pointApp set, forgets every cache, stops the cluster and removes the scratch folder. */
  stop(): Promise<void>;
}

/** Starts a dev cluster for one test file, on a free port, quiet, its kubeconfig in a scratch folder. */
export async function startTestCluster(
  name: string,
  opts: Omit<DevClusterOptions, 'port' | 'kubeconfigPath' | 'quiet'>,
): Promise<TestCluster> {
  const scratch = mkdtempSync(path.join(tmpdir(), `${name}-it-`));
  const cluster = await startDevCluster({ ...opts, port: 0, kubeconfigPath: path.join(scratch, 'kubeconfig'), quiet: true });
  const state: DevClusterState = { ...JSON.parse(readFileSync(cluster.statePath, 'utf8')), kubeconfig: cluster.kubeconfigPath };
  const control = devClusterClient(state);
  const before = new Map<string, string | undefined>();
  return {
    cluster,
    control,
    state,
    scratch,
    pointApp(env = {}) {
      for (const [key, value] of Object.entries({ KUBECONFIG: cluster.kubeconfigPath, KUBE_CONTEXTS: DASHBOARD_CONTEXT, ...env })) {
        if (!before.has(key)) before.set(key, process.env[key]);
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      resetAppCaches();
    },
    async stop() {
      for (const [key, value] of before) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      resetAppCaches();
      await control.close();
      await cluster.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** Everything the app keeps in memory, forgotten: the next call reads settings and the cluster as a new process would. */
export function resetAppCaches(): void {
  resetSettings();
  resetClusters();
  resetProbeCacheForTests();
  resetExecChecksForTests();
  resetReadinessCachesForTests();
  resetDiscordCacheForTests();
  resetInventoryCacheForTests();
  resetImageCacheForTests();
  resetGalleryForTests();
  resetSessionStoreCache();
}

/** Adds one binding to the dev cluster's RBAC policy (DELETE on the same endpoint puts the default back). */
/** Grants the rules cluster-wide, or in one namespace when it is given (a RoleBinding). */
export async function grant(
  control: DevClusterControl,
  subjects: PolicyBinding['subjects'],
  rules: PolicyRule[],
  namespace?: string,
): Promise<void> {
  await control.call('POST', '/_devcluster/rbac', { bindings: [{ subjects, rules, namespace }] });
}

/** Lets the dashboard read OpenAB's config (the agent's ConfigMap), as the chart grants it and the dev cluster's default policy does not. */
export function grantConfigMapReads(control: DevClusterControl): Promise<void> {
  return grant(control, [DASHBOARD_ACCOUNT], [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }]);
}

/**
 * Reads until `done` holds of the reading or `boundMs` has passed, and returns the last reading
 * either way: the test's own expectations then say what was not reached.
 */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, boundMs: number, everyMs = 250): Promise<T> {
  const end = Date.now() + boundMs;
  let value = await read();
  while (!done(value) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, everyMs));
    value = await read();
  }
  return value;
}

/** Every pod of every agent has started (ready and not on its way out) or is crash-looping. */
export const podsSettled = (agents: FleetAgent[]): boolean =>
  agents.every((a) => a.workload.pods.every((p) => p.crashLooping || (p.ready && !p.terminating)));

/**
 * The fleet once at least `agents` agents are listed, their pods have settled and at least
 * `probed` of them have been probed (`fresh`: probing again on every read), or as it stands after a minute.
 */
export async function readyFleet(opts: { agents?: number; probed?: number; fresh?: boolean } = {}): Promise<Fleet> {
  const { agents = 1, probed = 0, fresh = false } = opts;
  return until(
    () => {
      if (fresh) resetProbeCacheForTests();
      return getFleet();
    },
    (f) => f.agents.length >= agents && podsSettled(f.agents) && f.agents.filter((a) => a.probe).length >= probed,
    60_000,
    500,
  );
}
