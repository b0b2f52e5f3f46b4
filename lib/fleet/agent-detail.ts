import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import type { AgentRef } from '../k8s/agent-ref';
import { locateAgent } from '../k8s/locator';
import { listAgentEvents, type ClusterEvent } from '../k8s/events';
import { cache } from 'react';
import { canIAll, type AccessCheck } from '../k8s/access';
import { getCluster } from '../k8s/clusters';
import { toClusterError } from '../k8s/errors';
import { rolloutStatusOfObjects, type RolloutStatus } from '../k8s/rollout';
import { roleAtLeast, type Role } from '../auth/roles';
import { actionAccessChecks, actionAccessFrom, roleReason, type AgentActionAccess, type Permission } from '../operations/access';
import { recordRestartOutcome } from '../operations/restart-outcome';
import { fleetAgentOf, type FleetAgent } from './fleet';

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

function iso(v: Date | string | undefined | null): string | null {
  if (!v) return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function describeState(s: k8s.V1ContainerState | undefined): { state: string; detail: string | null } {
  if (s?.running) return { state: 'Running', detail: `since ${iso(s.running.startedAt) ?? '?'}` };
  if (s?.waiting) return { state: `Waiting: ${s.waiting.reason ?? ''}`, detail: s.waiting.message ?? null };
  if (s?.terminated)
    return { state: `Terminated: ${s.terminated.reason ?? ''} (exit ${s.terminated.exitCode})`, detail: s.terminated.message ?? null };
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
    conditions: (pod.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      lastTransitionTime: iso(c.lastTransitionTime),
    })),
    containers: (pod.spec?.containers ?? []).map((c) => {
      const st = pod.status?.containerStatuses?.find((s) => s.name === c.name);
      const now = describeState(st?.state);
      const last = st?.lastState && (st.lastState.terminated || st.lastState.waiting) ? describeState(st.lastState).state : null;
      return {
        name: c.name,
        image: c.image ?? '',
        ready: st?.ready ?? false,
        restartCount: st?.restartCount ?? 0,
        state: now.state,
        stateDetail: now.detail,
        lastState: last,
      };
    }),
  };
}

/**
 * The agent page's reads, each made once per render (React's cache lives for one server render):
 * its panels stream in separately and each asks for what it needs, so none waits for another's.
 */
const refOf = (clusterId: string, namespace: string, name: string): AgentRef => ({ clusterId, namespace, name });

/** The agent with one probe of its pod (the one exec the page's summary needs). */
export const getAgentView = cache(async (clusterId: string, namespace: string, name: string): Promise<FleetAgent> => {
  const { cluster, workload, pod, container } = await locateAgent(refOf(clusterId, namespace, name));
  return fleetAgentOf(cluster, workload, pod, container, { wait: true, attention: 'shown' });
});

/** Recent Events of the Deployment and its pods, or why they could not be read. */
export const getAgentEvents = cache(
  async (clusterId: string, namespace: string, name: string): Promise<{ events: ClusterEvent[]; error: string | null }> => {
    const { cluster, workload } = await locateAgent(refOf(clusterId, namespace, name));
    try {
      return {
        events: await listAgentEvents(
          cluster,
          namespace,
          name,
          workload.pods.map((p) => p.name),
        ),
        error: null,
      };
    } catch (err) {
      return { events: [], error: toClusterError(err, 'reading events').message };
    }
  },
);

/** Where the agent's rollout stands, from the Deployment and pods already read; a finished restart gets its outcome recorded. */
export const getAgentRollout = cache(async (clusterId: string, namespace: string, name: string): Promise<RolloutStatus> => {
  const ref = refOf(clusterId, namespace, name);
  const { cluster, deployment, pods } = await locateAgent(ref);
  const status = rolloutStatusOfObjects(deployment, pods);
  await recordRestartOutcome(cluster, ref, status);
  return status;
});

export interface AgentPageAccess extends AgentActionAccess {
  /** Exec into the agent's pod (device login, installing the skill), for an operator. */
  exec: Permission;
  readLogs: Permission;
}

/**
 * Every permission the agent page shows, from one question to the cluster (none when the
 * role already says no to all): the role decides first, then the cluster.
 */
export const getAgentAccess = cache(async (clusterId: string, namespace: string, name: string, role: Role): Promise<AgentPageAccess> => {
  const execRole = roleReason(role, 'Running commands in the pod');
  const logRole = roleAtLeast(role, 'support') ? undefined : 'Reading logs needs the Support role or higher.';
  const checks: Partial<Record<'patch' | 'exec' | 'readLogs', AccessCheckIn>> = {
    ...actionAccessChecks(name, role),
    ...(execRole ? {} : { exec: { verb: 'create', resource: 'pods', subresource: 'exec' } }),
    ...(logRole ? {} : { readLogs: { verb: 'get', resource: 'pods', subresource: 'log' } }),
  };
  let answers: Partial<Record<'patch' | 'exec' | 'readLogs', Permission>>;
  try {
    answers = await canIAll(getCluster(clusterId), namespace, checks);
  } catch {
    answers = {};
  }
  const unanswered = { allowed: false, reason: 'The cluster could not be asked what the dashboard may do.' };
  return {
    ...actionAccessFrom(role, answers),
    exec: execRole ? { allowed: false, reason: execRole } : (answers.exec ?? unanswered),
    readLogs: logRole ? { allowed: false, reason: logRole } : (answers.readLogs ?? unanswered),
  };
});

type AccessCheckIn = Omit<AccessCheck, 'namespace'>;
