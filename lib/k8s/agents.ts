import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import { getSettings } from '../settings';
import { withDeadline, type Cluster } from './clusters';
import { toClusterError } from './errors';

export interface PodSummary {
  name: string;
  uid: string;
  phase: string;
  /** What `kubectl get pods` shows in STATUS: Running, Terminating, CrashLoopBackOff, ... */
  status: string;
  ready: boolean;
  restarts: number;
  createdAt: string | null;
  startedAt: string | null;
  terminating: boolean;
  nodeName: string | null;
  image: string | null;
  /** False when the pod has no container of the configured name (`openab`). */
  hasAgentContainer: boolean;
  crashLooping: boolean;
}

export interface AgentWorkload {
  clusterId: string;
  namespace: string;
  /** The Deployment's name: stable across restarts, unlike pod names. */
  name: string;
  createdAt: string | null;
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  generation: number;
  observedGeneration: number;
  strategy: string;
  image: string | null;
  conditions: Array<{ type: string; status: string; reason?: string; message?: string }>;
  pods: PodSummary[];
}

const API_DEADLINE_MS = 10_000;

function podStatus(pod: k8s.V1Pod, container?: k8s.V1ContainerStatus): string {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  const waiting = container?.state?.waiting?.reason;
  if (waiting) return waiting;
  const terminated = container?.state?.terminated?.reason;
  if (terminated) return terminated;
  return pod.status?.phase ?? 'Unknown';
}

export function summarizePod(pod: k8s.V1Pod, containerName: string): PodSummary {
  const statuses = pod.status?.containerStatuses ?? [];
  const agent = statuses.find((s) => s.name === containerName);
  const hasAgentContainer = (pod.spec?.containers ?? []).some((c) => c.name === containerName);
  const status = podStatus(pod, agent);
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  // Between back-offs kubectl shows Error or even Running; a pod that died and is not ready
  // again is treated as crash-looping, so the UI does not flicker between states and the
  // probe does not exec into a container that is about to die.
  const lastExit = agent?.lastState?.terminated?.exitCode;
  const crashLooping = status === 'CrashLoopBackOff' || (!ready && (agent?.restartCount ?? 0) >= 1 && lastExit !== undefined && lastExit !== 0);
  return {
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    status,
    ready,
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    createdAt: toIso(pod.metadata?.creationTimestamp),
    startedAt: toIso(pod.status?.startTime),
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    nodeName: pod.spec?.nodeName ?? null,
    image: agent?.image ?? pod.spec?.containers?.find((c) => c.name === containerName)?.image ?? null,
    hasAgentContainer,
    crashLooping,
  };
}

function toIso(value: Date | string | undefined | null): string | null {
  if (!value) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Pods, newest first (by creation time). */
function newestFirst(a: k8s.V1Pod, b: k8s.V1Pod): number {
  return (toIso(b.metadata?.creationTimestamp) ?? '').localeCompare(toIso(a.metadata?.creationTimestamp) ?? '');
}

function matches(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export function summarizeDeployment(clusterId: string, d: k8s.V1Deployment, pods: k8s.V1Pod[], containerName: string): AgentWorkload {
  const selector = d.spec?.selector?.matchLabels;
  const own = pods
    .filter((p) => p.metadata?.namespace === d.metadata?.namespace && matches(selector, p.metadata?.labels))
    .map((p) => summarizePod(p, containerName))
    .sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  return {
    clusterId,
    namespace: d.metadata?.namespace ?? '',
    name: d.metadata?.name ?? '',
    createdAt: toIso(d.metadata?.creationTimestamp),
    replicas: d.spec?.replicas ?? 1,
    readyReplicas: d.status?.readyReplicas ?? 0,
    updatedReplicas: d.status?.updatedReplicas ?? 0,
    availableReplicas: d.status?.availableReplicas ?? 0,
    generation: d.metadata?.generation ?? 0,
    observedGeneration: d.status?.observedGeneration ?? 0,
    strategy: d.spec?.strategy?.type ?? 'RollingUpdate',
    image: d.spec?.template?.spec?.containers?.find((c) => c.name === containerName)?.image ?? null,
    conditions: (d.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })),
    pods: own,
  };
}

/** One list of Deployments and one of Pods per namespace scope: never a request per agent. */
export async function listAgentWorkloads(cluster: Cluster): Promise<AgentWorkload[]> {
  const { agentSelector, namespaces, containerName } = getSettings();
  const what = `listing agents in cluster ${cluster.label}`;
  try {
    const scopes = namespaces ?? [null];
    const results = await Promise.all(
      scopes.map(async (ns) => {
        const [deps, pods] = await withDeadline(
          Promise.all(
            ns
              ? [cluster.apps.listNamespacedDeployment({ namespace: ns, labelSelector: agentSelector }), cluster.core.listNamespacedPod({ namespace: ns, labelSelector: agentSelector })]
              : [cluster.apps.listDeploymentForAllNamespaces({ labelSelector: agentSelector }), cluster.core.listPodForAllNamespaces({ labelSelector: agentSelector })],
          ),
          API_DEADLINE_MS,
          what,
        );
        return { deps: deps.items as k8s.V1Deployment[], pods: pods.items as k8s.V1Pod[] };
      }),
    );
    const pods = results.flatMap((r) => r.pods);
    return results
      .flatMap((r) => r.deps)
      .map((d) => summarizeDeployment(cluster.id, d, pods, containerName))
      .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  } catch (err) {
    throw toClusterError(err, what);
  }
}

export async function getDeployment(cluster: Cluster, namespace: string, name: string): Promise<k8s.V1Deployment> {
  try {
    return await withDeadline(cluster.apps.readNamespacedDeployment({ namespace, name }), API_DEADLINE_MS, `reading deployment ${namespace}/${name}`);
  } catch (err) {
    throw toClusterError(err, `reading deployment ${namespace}/${name}`);
  }
}

/** The pods of one Deployment, full objects (for the agent page's details). */
export async function listDeploymentPods(cluster: Cluster, deployment: k8s.V1Deployment): Promise<k8s.V1Pod[]> {
  const namespace = deployment.metadata?.namespace ?? '';
  const labelSelector = Object.entries(deployment.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  try {
    const res = await withDeadline(cluster.core.listNamespacedPod({ namespace, labelSelector }), API_DEADLINE_MS, `listing pods of ${namespace}/${deployment.metadata?.name}`);
    return (res.items as k8s.V1Pod[]).sort(newestFirst);
  } catch (err) {
    throw toClusterError(err, `listing pods of ${namespace}/${deployment.metadata?.name}`);
  }
}

/**
 * A Deployment and its pods in one round trip: the Deployment is read while the agent pods
 * of its namespace are listed (by the agent selector, as the fleet lists them), and its own
 * are then picked by its selector. Newest pod first.
 */
export async function getDeploymentWithPods(cluster: Cluster, namespace: string, name: string): Promise<{ deployment: k8s.V1Deployment; pods: k8s.V1Pod[] }> {
  const what = `listing pods of ${namespace}/${name}`;
  const [deployment, listed] = await Promise.all([
    getDeployment(cluster, namespace, name),
    withDeadline(cluster.core.listNamespacedPod({ namespace, labelSelector: getSettings().agentSelector }), API_DEADLINE_MS, what).catch((err) => {
      throw toClusterError(err, what);
    }),
  ]);
  const selector = deployment.spec?.selector?.matchLabels;
  const pods = (listed.items as k8s.V1Pod[])
    .filter((p) => matches(selector, p.metadata?.labels))
    .sort(newestFirst);
  return { deployment, pods };
}

/** The pod an agent's commands run in: the newest running, not terminating one. */
export function activePod(workload: AgentWorkload): PodSummary | null {
  return workload.pods.find((p) => p.phase === 'Running' && !p.terminating && !p.crashLooping) ?? null;
}
