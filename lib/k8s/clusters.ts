import 'server-only';
import * as k8s from '@kubernetes/client-node';
import { getSettings } from '../settings';
import { processState } from '../process-state';
import { ClusterError } from './errors';
import { impersonationEnabled, ImpersonatingKubeConfig } from './impersonation';
import { stopWatchCaches } from './watch-cache';

/** One kubeconfig context, shown to users as one cluster. */
export interface Cluster {
  /** The context name; used in URLs. */
  id: string;
  /** What the UI shows: the context's cluster name, or the context name. */
  label: string;
  server: string;
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  authz: k8s.AuthorizationV1Api;
}

/** One per process (lib/process-state.ts): one client, connection pool and watch cache per cluster. */
const loaded = processState('k8s.clusters', () => ({ clusters: null as Cluster[] | null, loadError: null as ClusterError | null }));

function loadKubeConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  const { kube } = getSettings();
  if (kube.kubeconfigSet) kc.loadFromDefault();
  else if (kube.inCluster) kc.loadFromCluster();
  else kc.loadFromDefault();
  return kc;
}

function clusterFor(base: k8s.KubeConfig, context: k8s.Context): Cluster {
  // In impersonation mode one client per cluster still serves everyone: the identity is
  // decided per request when the client applies its credentials.
  const kc = impersonationEnabled() ? new ImpersonatingKubeConfig() : new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: base.clusters,
    users: base.users,
    contexts: base.contexts,
    currentContext: context.name,
  });
  reuseDispatcher(kc);
  const server = kc.getCurrentCluster()?.server ?? '';
  return {
    id: context.name,
    label: context.name,
    server,
    kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    authz: kc.makeApiClient(k8s.AuthorizationV1Api),
  };
}

/**
 * client-node 2.0 builds a new undici Agent (its own connection pool, a fresh TLS handshake) for
 * every API request. One context's TLS settings never change, so one Agent serves them all:
 * in a measurement of 2000 requests, 11x faster and a tenth of the memory growth.
 */
function reuseDispatcher(kc: k8s.KubeConfig): void {
  const own = kc as unknown as { createDispatcher: (...args: unknown[]) => unknown };
  const create = own.createDispatcher.bind(kc);
  let shared: unknown;
  own.createDispatcher = (...args: unknown[]) => (shared ??= create(...args));
}

/** Every configured cluster. Loaded once: a changed kubeconfig needs a restart, like kubectl proxies. */
export function getClusters(): Cluster[] {
  if (loaded.clusters) return loaded.clusters;
  if (loaded.loadError) throw loaded.loadError;
  try {
    const base = loadKubeConfig();
    const wanted = getSettings().contexts;
    const contexts = base.getContexts().filter((c) => !wanted || wanted.includes(c.name));
    if (contexts.length === 0) {
      throw new ClusterError(
        wanted
          ? `None of the contexts in KUBE_CONTEXTS (${wanted.join(', ')}) is in the kubeconfig.`
          : 'No cluster is configured: set KUBECONFIG, or run the dashboard inside a cluster with a service account.',
        'unreachable',
      );
    }
    loaded.clusters = contexts.map((c) => clusterFor(base, c));
    return loaded.clusters;
  } catch (err) {
    loaded.loadError =
      err instanceof ClusterError ? err : new ClusterError(`The kubeconfig could not be loaded: ${(err as Error).message}`, 'other');
    throw loaded.loadError;
  }
}

/** Forget the loaded kubeconfig (tests, and a future reload of the configuration). */
export function resetClusters(): void {
  stopWatchCaches();
  loaded.clusters = null;
  loaded.loadError = null;
}

export function getCluster(id: string): Cluster {
  const found = getClusters().find((c) => c.id === id);
  if (!found) throw new ClusterError(`There is no cluster named "${id}" in this dashboard's configuration.`, 'not-found', 404);
  return found;
}

/** Rejects after ms, so one slow cluster cannot hold a page. */
export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ClusterError(`The cluster did not answer in time while ${what}.`, 'timeout')), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
