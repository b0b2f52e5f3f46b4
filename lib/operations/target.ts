import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import { getCluster, type Cluster } from '../k8s/clusters';
import type { PodSummary } from '../k8s/agents';
import { locateAgent, noRunningPodReason } from '../k8s/locator';
import { ClusterError } from '../k8s/errors';
import { execInPod, type ExecOutput, type ExecRequest } from '../k8s/exec';
import { UserFacingError } from '../errors';
import { runPodProgram, type ProgramOutput, type RunOptions } from '../pod/run';
import type { PodProgramName } from '../pod/invocation';
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
    throw new UserFacingError(err instanceof Error ? err.message : `Unknown cluster ${ref.clusterId}.`, 'not-found');
  }
}

/** The agent's Deployment, found by the one locator, so an action can never reach a Deployment that is not a Codex agent. */
export async function findAgentDeployment(ref: AgentRef): Promise<AgentDeployment> {
  const { cluster, deployment } = await locateAgent(ref);
  return { cluster, ref, deployment };
}

/** The agent's running pod, where Codex's files are changed. */
export async function findAgentPod(ref: AgentRef): Promise<AgentPodTarget> {
  const agent = await locateAgent(ref);
  const why = noRunningPodReason(agent);
  if (why || !agent.pod)
    throw new UserFacingError(
      `Codex's files of ${agentLabel(ref)} cannot be changed now: ${why}. Wait until a pod is running, or restart the agent.`,
      'unavailable',
    );
  return { cluster: agent.cluster, ref, deployment: agent.deployment, pod: agent.pod, container: agent.container };
}

/** Runs argv in the agent's container; a pod replaced meanwhile is told as such. */
export async function execInAgentPod(
  target: AgentPodTarget,
  req: Omit<ExecRequest, 'namespace' | 'pod' | 'container'>,
): Promise<ExecOutput> {
  try {
    return await execInPod(target.cluster, { ...req, namespace: target.ref.namespace, pod: target.pod.name, container: target.container });
  } catch (err) {
    throw replacedPodError(err);
  }
}

/** Runs a pod program (lib/pod) in the agent's pod; a pod replaced meanwhile is told as such. */
export async function runInAgentPod(
  target: AgentPodTarget,
  name: PodProgramName,
  args: string[],
  opts: RunOptions,
): Promise<ProgramOutput> {
  try {
    return await runPodProgram(
      { cluster: target.cluster, namespace: target.ref.namespace, pod: target.pod.name, container: target.container },
      name,
      args,
      opts,
    );
  } catch (err) {
    throw replacedPodError(err);
  }
}

/** A pod gone while an action ran: nothing was changed, and a reload finds its successor. */
function replacedPodError(err: unknown): unknown {
  if (err instanceof ClusterError && err.kind === 'not-found') {
    return new UserFacingError(
      `${err.message} It was replaced while the action ran; nothing was changed by the dashboard. Reload and try again.`,
      'conflict',
    );
  }
  return err;
}
