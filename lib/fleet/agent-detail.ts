import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import type { AgentRef } from '../k8s/agent-ref';
import { locateAgent } from '../k8s/locator';
import { listAgentEvents, type ClusterEvent } from '../k8s/events';
import { canI } from '../k8s/access';
import { toClusterError } from '../k8s/errors';
import { attentionReasons, podProblem, type FleetAgent } from './fleet';
import { readProbe, type AgentProbe } from './probe';

export interface PodDetail {
  name: string;
  phase: string;
  node: string | null;
  podIP: string | null;
  startTime: string | null;
  createdAt: string | null;
  terminating: boolean;
  conditions: Array<{ type: string; status: string; reason?: string; message?: string; lastTransitionTime: string | null }>;
  containers: Array<{
    name: string;
    image: string;
    ready: boolean;
    restartCount: number;
    state: string;
    stateDetail: string | null;
    lastState: string | null;
  }>;
}

export interface Permission {
  allowed: boolean;
  reason?: string;
}

export interface AgentDetail {
  agent: FleetAgent;
  pods: PodDetail[];
  events: ClusterEvent[];
  eventsError: string | null;
  /** What the dashboard may do on this agent, as the cluster answers. */
  clusterAccess: { readLogs: Permission };
  container: string;
}

function iso(v: Date | string | undefined | null): string | null {
  if (!v) return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function describeState(s: k8s.V1ContainerState | undefined): { state: string; detail: string | null } {
  if (s?.running) return { state: 'Running', detail: `since ${iso(s.running.startedAt) ?? '?'}` };
  if (s?.waiting) return { state: `Waiting: ${s.waiting.reason ?? ''}`, detail: s.waiting.message ?? null };
  if (s?.terminated) return { state: `Terminated: ${s.terminated.reason ?? ''} (exit ${s.terminated.exitCode})`, detail: s.terminated.message ?? null };
  return { state: 'Unknown', detail: null };
}

export function toPodDetail(pod: k8s.V1Pod): PodDetail {
  return {
    name: pod.metadata?.name ?? '',
    phase: pod.status?.phase ?? 'Unknown',
    node: pod.spec?.nodeName ?? null,
    podIP: pod.status?.podIP ?? null,
    startTime: iso(pod.status?.startTime),
    createdAt: iso(pod.metadata?.creationTimestamp),
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    conditions: (pod.status?.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime: iso(c.lastTransitionTime) })),
    containers: (pod.spec?.containers ?? []).map((c) => {
      const st = pod.status?.containerStatuses?.find((s) => s.name === c.name);
      const now = describeState(st?.state);
      const last = st?.lastState && (st.lastState.terminated || st.lastState.waiting) ? describeState(st.lastState).state : null;
      return { name: c.name, image: c.image ?? '', ready: st?.ready ?? false, restartCount: st?.restartCount ?? 0, state: now.state, stateDetail: now.detail, lastState: last };
    }),
  };
}

/** Everything the agent page shows, for one Deployment: the located agent, one probe, one event list. */
export async function getAgentDetail(ref: AgentRef, opts: { waitForFirstProbe?: boolean } = {}): Promise<AgentDetail> {
  const { namespace, name } = ref;
  const { cluster, pods, workload, pod, container: containerName } = await locateAgent(ref);
  let problem = podProblem(workload, pod);
  let probe: AgentProbe | null = null;
  const [probeResult, eventsResult, readLogs] = await Promise.allSettled([
    !problem && pod ? readProbe({ cluster, namespace, pod: pod.name, podUid: pod.uid, container: containerName }, { wait: opts.waitForFirstProbe ?? true }) : Promise.resolve(null),
    listAgentEvents(cluster, namespace, name, workload.pods.map((p) => p.name)),
    canI(cluster, { namespace, verb: 'get', resource: 'pods', subresource: 'log' }),
  ]);
  let probeAgeMs: number | null = null;
  let probeRefreshing = false;
  if (probeResult.status === 'fulfilled') {
    probe = probeResult.value?.probe ?? null;
    probeAgeMs = probeResult.value?.ageMs ?? null;
    probeRefreshing = probeResult.value?.refreshing ?? false;
  } else problem = toClusterError(probeResult.reason, `reading agent ${name}`).message;
  const agent: FleetAgent = { key: `${cluster.id}/${namespace}/${name}`, clusterId: cluster.id, clusterLabel: cluster.label, workload, pod, probe, probeAgeMs, probeRefreshing, problem, attention: [] };
  agent.attention = attentionReasons(agent);
  return {
    agent,
    pods: pods.map(toPodDetail),
    events: eventsResult.status === 'fulfilled' ? eventsResult.value : [],
    eventsError: eventsResult.status === 'rejected' ? toClusterError(eventsResult.reason, 'reading events').message : null,
    clusterAccess: { readLogs: readLogs.status === 'fulfilled' ? readLogs.value : { allowed: false, reason: 'The permission check failed.' } },
    container: containerName,
  };
}
