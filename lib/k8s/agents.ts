import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import { getSettings } from '../settings';
import { withDeadline, type Cluster } from './clusters';
import { mayList, requireListAccess } from './access';
import { ClusterError, toClusterError } from './errors';
import { impersonationEnabled } from './impersonation';
import { cachedObjects, cachedSnapshot } from './watch-cache';
import { processState, sameObjects } from '../process-state';
import { fromSelectorObject, labelsMatch, LabelSelectorError, parseLabelSelector, type LabelSelector } from './label-selector';

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
  const crashLooping =
    status === 'CrashLoopBackOff' || (!ready && (agent?.restartCount ?? 0) >= 1 && lastExit !== undefined && lastExit !== 0);
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

let parsedAgentSelector: { text: string; selector: LabelSelector } | null = null;

/**
 * AGENT_SELECTOR, parsed with the API server's grammar: what the cluster lists with it and what
 * the dashboard accepts as an agent are the same Deployments. A selector that does not parse
 * stops every use with a plain reason; no term of it is ever guessed at.
 */
export function agentSelector(): { text: string; selector: LabelSelector } {
  const text = getSettings().agentSelector;
  if (parsedAgentSelector?.text === text) return parsedAgentSelector;
  try {
    parsedAgentSelector = { text, selector: parseLabelSelector(text) };
  } catch (err) {
    if (err instanceof LabelSelectorError) throw new ClusterError(`The setting AGENT_SELECTOR cannot be used: ${err.message}`, 'invalid');
    throw err;
  }
  return parsedAgentSelector;
}

/** Whether a Deployment is a Codex agent of this dashboard (its labels match AGENT_SELECTOR). */
export function isAgentDeployment(d: k8s.V1Deployment): boolean {
  return labelsMatch(agentSelector().selector, d.metadata?.labels);
}

/**
 * A Deployment's own pods among listed ones: same namespace, labels matching its spec.selector
 * (matchLabels and matchExpressions, as the API server reads it); newest first. A selector the
 * API server would not have stored selects nothing.
 */
/**
 * Pods grouped so that each Deployment's own are found without scanning every pod of the fleet
 * (a fleet of 500 agents would otherwise match 500 selectors against 1,000 pods per view): by
 * namespace, and by namespace and label pair.
 */
export class PodIndex {
  private readonly byNamespace = new Map<string, k8s.V1Pod[]>();
  private readonly byLabel = new Map<string, k8s.V1Pod[]>();

  constructor(pods: readonly k8s.V1Pod[]) {
    const add = (map: Map<string, k8s.V1Pod[]>, key: string, pod: k8s.V1Pod) => {
      const list = map.get(key);
      if (list) list.push(pod);
      else map.set(key, [pod]);
    };
    for (const pod of pods) {
      const namespace = pod.metadata?.namespace ?? '';
      add(this.byNamespace, namespace, pod);
      for (const [key, value] of Object.entries(pod.metadata?.labels ?? {})) add(this.byLabel, `${namespace}\0${key}=${value}`, pod);
    }
  }

  /** The pods that may match a Deployment's selector: the smallest group of one of its exact labels, else its namespace's. */
  candidates(d: k8s.V1Deployment): k8s.V1Pod[] {
    const namespace = d.metadata?.namespace ?? '';
    let best = this.byNamespace.get(namespace) ?? [];
    for (const [key, value] of Object.entries(d.spec?.selector?.matchLabels ?? {})) {
      const group = this.byLabel.get(`${namespace}\0${key}=${value}`) ?? [];
      if (group.length < best.length) best = group;
    }
    return best;
  }
}

export function ownPods(d: k8s.V1Deployment, pods: readonly k8s.V1Pod[] | PodIndex): k8s.V1Pod[] {
  let selector: LabelSelector;
  try {
    selector = fromSelectorObject(d.spec?.selector);
  } catch {
    return [];
  }
  const candidates = pods instanceof PodIndex ? pods.candidates(d) : pods;
  return candidates
    .filter((p) => p.metadata?.namespace === d.metadata?.namespace && labelsMatch(selector, p.metadata?.labels))
    .sort(newestFirst);
}

export function summarizeDeployment(
  clusterId: string,
  d: k8s.V1Deployment,
  pods: k8s.V1Pod[] | PodIndex,
  containerName: string,
): AgentWorkload {
  const own = ownPods(d, pods).map((p) => summarizePod(p, containerName));
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

/**
 * Every agent of a cluster, from the watch cache (no list call once it is warm). In
 * impersonation mode only the namespaces the person may list Deployments and Pods in.
 */
export async function listAgentWorkloads(cluster: Cluster): Promise<AgentWorkload[]> {
  const { containerName } = getSettings();
  const what = `listing agents in cluster ${cluster.label}`;
  try {
    const labelSelector = agentSelector().text;
    const [deps, pods] = await Promise.all([
      cachedSnapshot(cluster, labelSelector, 'deployments'),
      cachedSnapshot(cluster, labelSelector, 'pods'),
    ]);
    const all = summarizedFleet(cluster, deps, pods, containerName);
    // The dashboard's own rights: everything it lists is shown (a view of 500 agents costs no pass over them).
    if (!impersonationEnabled()) return all;
    const readable = await readableNamespaces(cluster, [...new Set(all.map((w) => w.namespace))]);
    return all.every((w) => readable.has(w.namespace)) ? all : all.filter((w) => readable.has(w.namespace));
  } catch (err) {
    throw toClusterError(err, what);
  }
}

/**
 * Per cluster, the workloads last summarized and the cache versions they were made from: while no
 * Deployment or Pod changed, a view reuses them (a fleet of 500 costs a lookup, not 500
 * summaries). One per process (lib/process-state.ts). The workloads are shared: nobody mutates them.
 */
const summaries = processState(
  'k8s.agentWorkloads',
  () => new WeakMap<Cluster, { versions: object[]; containerName: string; workloads: AgentWorkload[] }>(),
);

function summarizedFleet(
  cluster: Cluster,
  deps: { items: readonly k8s.V1Deployment[]; versions: object[] },
  pods: { items: readonly k8s.V1Pod[]; versions: object[] },
  containerName: string,
): AgentWorkload[] {
  const versions = [...deps.versions, ...pods.versions];
  const kept = summaries.get(cluster);
  if (kept && kept.containerName === containerName && sameObjects(kept.versions, versions)) return kept.workloads;
  const index = new PodIndex(pods.items);
  const workloads = deps.items
    .map((d) => workloadOf(cluster.id, d, index, containerName))
    // Names are DNS labels (lowercase ASCII): a plain comparison orders them as a collator would.
    .sort((a, b) => compareText(a.namespace, b.namespace) || compareText(a.name, b.name));
  summaries.set(cluster, { versions, containerName, workloads });
  return workloads;
}

/** Each Deployment's summary, kept while the Deployment object and its own pods' objects are the same (the watch replaces what changed). */
const workloadSummaries = processState(
  'k8s.workloadSummaries',
  () => new WeakMap<k8s.V1Deployment, { clusterId: string; containerName: string; pods: k8s.V1Pod[]; workload: AgentWorkload }>(),
);

function workloadOf(clusterId: string, d: k8s.V1Deployment, index: PodIndex, containerName: string): AgentWorkload {
  const pods = ownPods(d, index);
  const kept = workloadSummaries.get(d);
  if (kept && kept.clusterId === clusterId && kept.containerName === containerName && sameObjects(kept.pods, pods)) return kept.workload;
  const workload = summarizeDeployment(clusterId, d, pods, containerName);
  workloadSummaries.set(d, { clusterId, containerName, pods, workload });
  return workload;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The namespaces (of those given) whose Deployments and Pods the person the dashboard acts for may list (impersonation mode). */
async function readableNamespaces(cluster: Cluster, namespaces: string[]): Promise<Set<string>> {
  const { namespaces: watched } = getSettings();
  const both = async (ns: string) => (await mayList(cluster, ns, 'deployments')) && (await mayList(cluster, ns, 'pods'));
  // Cluster-wide rights answer for every namespace at once; otherwise each is asked.
  if (!watched && (await both(''))) return new Set(namespaces);
  const answers = await Promise.all(namespaces.map(async (ns) => [ns, await both(ns)] as const));
  const allowed = new Set(answers.filter(([, ok]) => ok).map(([ns]) => ns));
  if (allowed.size === 0 && namespaces.length > 0)
    await requireListAccess(cluster, watched?.[0] ?? '', 'deployments').then(() => requireListAccess(cluster, watched?.[0] ?? '', 'pods'));
  return allowed;
}

/** A Deployment read from the API server itself (for writers that need its current resourceVersion). */
export async function getDeployment(cluster: Cluster, namespace: string, name: string): Promise<k8s.V1Deployment> {
  try {
    return await withDeadline(
      cluster.apps.readNamespacedDeployment({ namespace, name }),
      API_DEADLINE_MS,
      `reading deployment ${namespace}/${name}`,
    );
  } catch (err) {
    throw toClusterError(err, `reading deployment ${namespace}/${name}`);
  }
}

/**
 * The agent pods of one Deployment, full objects, newest first: the watched pods of its
 * namespace (AGENT_SELECTOR, as the fleet lists them), then its own by its spec.selector.
 */
export async function listDeploymentPods(cluster: Cluster, deployment: k8s.V1Deployment): Promise<k8s.V1Pod[]> {
  const namespace = deployment.metadata?.namespace ?? '';
  return ownPods(deployment, await cachedAgentPods(cluster, namespace));
}

async function cachedAgentPods(cluster: Cluster, namespace: string): Promise<readonly k8s.V1Pod[]> {
  try {
    await requireListAccess(cluster, namespace, 'pods');
    return await cachedObjects(cluster, agentSelector().text, 'pods', namespace);
  } catch (err) {
    throw toClusterError(err, `listing pods in ${namespace}`);
  }
}

/**
 * A Deployment and its agent pods, from the watch cache. A Deployment the cache does not hold
 * (not an agent, or created a moment ago) is read once from the API server, so the caller can
 * tell "not an agent" from "not there".
 */
export async function getDeploymentWithPods(
  cluster: Cluster,
  namespace: string,
  name: string,
): Promise<{ deployment: k8s.V1Deployment; pods: k8s.V1Pod[] }> {
  const labelSelector = agentSelector().text;
  let deployment: k8s.V1Deployment | undefined;
  try {
    await requireListAccess(cluster, namespace, 'deployments');
    deployment = (await cachedObjects(cluster, labelSelector, 'deployments', namespace)).find((d) => d.metadata?.name === name);
  } catch (err) {
    throw toClusterError(err, `reading deployment ${namespace}/${name}`);
  }
  deployment ??= await getDeployment(cluster, namespace, name);
  return { deployment, pods: ownPods(deployment, await cachedAgentPods(cluster, namespace)) };
}

/** The pod an agent's commands run in: the newest running, not terminating one. */
export function activePod(workload: AgentWorkload): PodSummary | null {
  return workload.pods.find((p) => p.phase === 'Running' && !p.terminating && !p.crashLooping) ?? null;
}
