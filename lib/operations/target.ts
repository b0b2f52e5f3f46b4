import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import { getCluster, type Cluster } from '../k8s/clusters';
import type { PodSummary } from '../k8s/agents';
import { locateAgent, noRunningPodReason } from '../k8s/locator';
import { ClusterError } from '../k8s/errors';
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

/** The agent's Deployment, found by the one locator, so an action can never reach a Deployment that is not a Codex agent. */
export async function findAgentDeployment(ref: AgentRef): Promise<AgentDeployment> {
  try {
    const { cluster, deployment } = await locateAgent(ref);
    return { cluster, ref, deployment };
  } catch (err) {
    throw asUserError(err);
  }
}

/** The agent's running pod, where Codex's files are changed. */
export async function findAgentPod(ref: AgentRef): Promise<AgentPodTarget> {
  let agent;
  try {
    agent = await locateAgent(ref);
  } catch (err) {
    throw asUserError(err);
  }
  const why = noRunningPodReason(agent);
  if (why || !agent.pod) throw new UserFacingError(`Codex's files of ${agentLabel(ref)} cannot be changed now: ${why}. Wait until a pod is running, or restart the agent.`);
  return { cluster: agent.cluster, ref, deployment: agent.deployment, pod: agent.pod, container: agent.container };
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
