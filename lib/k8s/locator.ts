import 'server-only';
import { cache } from 'react';
import type * as k8s from '@kubernetes/client-node';
import { getSettings } from '../settings';
import { activePod, getDeploymentWithPods, isAgentDeployment, summarizeDeployment, type AgentWorkload, type PodSummary } from './agents';
import { agentLabel, agentRefSchema, type AgentRef } from './agent-ref';
import { getCluster, type Cluster } from './clusters';
import { ClusterError } from './errors';

/** A Codex agent as every page, route and action finds it. */
export interface LocatedAgent {
  cluster: Cluster;
  ref: AgentRef;
  deployment: k8s.V1Deployment;
  /** Its pods, full objects, newest first. */
  pods: k8s.V1Pod[];
  workload: AgentWorkload;
  /** The pod its commands run in (newest running, not terminating, not crash-looping), if any. */
  pod: PodSummary | null;
  /** The container Codex's files are read in (AGENT_CONTAINER). */
  container: string;
}

/**
 * The one way to find an agent: its cluster, its Deployment (which must be in a watched
 * namespace and match AGENT_SELECTOR, evaluated as the API server does), and its pods.
 * Anything else is "no Codex agent" (404), however the name was written.
 */
export function locateAgent(ref: AgentRef): Promise<LocatedAgent> {
  return locateOncePerRender(ref.clusterId, ref.namespace, ref.name);
}

// Every panel of a page asks for the same agent: one read of its Deployment and pods per
// render (React's cache lives for one server render; outside one, e.g. in an action, it reads afresh).
const locateOncePerRender = cache((clusterId: string, namespace: string, name: string) => locate({ clusterId, namespace, name }));

async function locate(ref: AgentRef): Promise<LocatedAgent> {
  const label = agentLabel(ref);
  const { namespaces, containerName } = getSettings();
  if (!agentRefSchema.safeParse(ref).success || (namespaces && !namespaces.includes(ref.namespace))) {
    throw new ClusterError(`Not found: there is no Codex agent ${label} in this dashboard's scope.`, 'not-found', 404);
  }
  const cluster = getCluster(ref.clusterId);
  let found: { deployment: k8s.V1Deployment; pods: k8s.V1Pod[] };
  try {
    found = await getDeploymentWithPods(cluster, ref.namespace, ref.name);
  } catch (err) {
    if (err instanceof ClusterError && err.kind === 'not-found') {
      throw new ClusterError(
        `Not found: there is no Codex agent ${label} in ${ref.clusterId}. It may have been removed; reload the page.`,
        'not-found',
        404,
      );
    }
    throw err;
  }
  // Only Codex agents: no page, route or action may reach the files or logs of another workload.
  if (!isAgentDeployment(found.deployment)) throw new ClusterError(`${label} is not a Codex agent of this dashboard.`, 'not-found', 404);
  const workload = summarizeDeployment(cluster.id, found.deployment, found.pods, containerName);
  return { cluster, ref, deployment: found.deployment, pods: found.pods, workload, pod: activePod(workload), container: containerName };
}

/** Why no command can run in the agent now ("its pod is crash-looping"), or null when one can. */
export function noRunningPodReason(agent: LocatedAgent): string | null {
  if (agent.pod) return agent.pod.hasAgentContainer ? null : `its pod has no "${agent.container}" container`;
  const newest = agent.workload.pods[0];
  if (!newest) return 'it has no pod';
  if (newest.crashLooping) return 'its pod is crash-looping';
  if (newest.terminating) return 'its pod is terminating';
  return `its pod is ${newest.status}`;
}
