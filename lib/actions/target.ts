import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import { getCluster, withDeadline, type Cluster } from '../k8s/clusters';
import { activePod, listDeploymentPods, summarizeDeployment, type PodSummary } from '../k8s/agents';
import { ClusterError, toClusterError } from '../k8s/errors';
import { getSettings } from '../settings';
import { execInPod, type ExecOutput, type ExecRequest } from '../k8s/exec';
import { UserFacingError } from '../auth/guard';
import { agentLabel, type AgentRef } from './agent-ref';

export interface AgentDeployment {
  cluster: Cluster;
  ref: AgentRef;
  deployment: k8s.V1Deployment;
}

export interface AgentPodTarget extends AgentDeployment {
  pod: PodSummary;
  container: string;
}

/** A cluster by id, with an unknown id answered in words. */
export function clusterFor(ref: AgentRef): Cluster {
  try {
    return getCluster(ref.clusterId);
  } catch (err) {
    throw new UserFacingError(err instanceof Error ? err.message : `Unknown cluster ${ref.clusterId}.`);
  }
}

/**
 * The agent's Deployment, found through the agent selector, so an action can never reach a
 * Deployment that is not a Codex agent (the API server evaluates the selector, whatever its form).
 */
export async function findAgentDeployment(ref: AgentRef): Promise<AgentDeployment> {
  const cluster = clusterFor(ref);
  const what = `reading agent ${agentLabel(ref)}`;
  let items: k8s.V1Deployment[];
  try {
    const res = await withDeadline(
      cluster.apps.listNamespacedDeployment({ namespace: ref.namespace, labelSelector: getSettings().agentSelector, fieldSelector: `metadata.name=${ref.name}` }),
      10_000,
      what,
    );
    items = res.items;
  } catch (err) {
    throw asUserError(toClusterError(err, what));
  }
  const deployment = items.find((d) => d.metadata?.name === ref.name);
  if (!deployment) throw new UserFacingError(`There is no Codex agent ${agentLabel(ref)} in ${ref.clusterId}. It may have been removed; reload the page.`);
  return { cluster, ref, deployment };
}

/** The agent's running pod, where Codex's files are changed. */
export async function findAgentPod(ref: AgentRef): Promise<AgentPodTarget> {
  const found = await findAgentDeployment(ref);
  const { containerName } = getSettings();
  let pods: k8s.V1Pod[];
  try {
    pods = await listDeploymentPods(found.cluster, found.deployment);
  } catch (err) {
    throw asUserError(toClusterError(err, `listing the pods of ${agentLabel(ref)}`));
  }
  const workload = summarizeDeployment(found.cluster.id, found.deployment, pods, containerName);
  const pod = activePod(workload);
  if (!pod) {
    const newest = workload.pods[0];
    const why = !newest ? 'it has no pod' : newest.crashLooping ? 'its pod is crash-looping' : newest.terminating ? 'its pod is terminating' : `its pod is ${newest.status}`;
    throw new UserFacingError(`Codex's files of ${agentLabel(ref)} cannot be changed now: ${why}. Wait until a pod is running, or restart the agent.`);
  }
  if (!pod.hasAgentContainer) throw new UserFacingError(`The pod of ${agentLabel(ref)} has no "${containerName}" container.`);
  return { ...found, pod, container: containerName };
}

/** Runs argv in the agent's container; a failure to run reaches the user in plain words. */
export async function execInAgentPod(target: AgentPodTarget, req: Omit<ExecRequest, 'namespace' | 'pod' | 'container'>): Promise<ExecOutput> {
  try {
    return await execInPod(target.cluster, { ...req, namespace: target.ref.namespace, pod: target.pod.name, container: target.container });
  } catch (err) {
    throw asUserError(err);
  }
}

/** Cluster errors carry plain words already; they reach the user as they are. */
export function asUserError(err: unknown): Error {
  if (err instanceof UserFacingError) return err;
  if (err instanceof ClusterError) {
    if (err.kind === 'not-found' && /Pod .* no longer exists/.test(err.message)) {
      return new UserFacingError(`${err.message} It was replaced while the action ran; nothing was changed by the dashboard. Reload and try again.`);
    }
    return new UserFacingError(err.message);
  }
  return err instanceof Error ? err : new Error(String(err));
}
