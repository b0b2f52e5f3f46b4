import 'server-only';
import type { Cluster } from '../k8s/clusters';
import { agentKey, agentLabel, type AgentRef } from '../k8s/agent-ref';
import { ClusterError } from '../k8s/errors';
import { locateAgent, noRunningPodReason } from '../k8s/locator';
import { processState } from '../process-state';

export type { AgentRef };

/**
 * Where an agent's files are: the Deployment's volume outlives its pods (the chart's PVC),
 * so caches key on the Deployment, not the pod.
 */
export function volumeKey(ref: AgentRef): string {
  return agentKey(ref);
}

export interface PodTarget {
  ref: AgentRef;
  cluster: Cluster;
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
}

const resolved = processState('images.agent-pod.resolved', () => new Map<string, { at: number; target: Promise<PodTarget> }>());
const RESOLVE_TTL_MS = 5_000;

/** The running pod of an agent (cached a few seconds; errors are not cached). */
export function agentPod(ref: AgentRef): Promise<PodTarget> {
  const key = volumeKey(ref);
  const hit = resolved.get(key);
  if (hit && Date.now() - hit.at < RESOLVE_TTL_MS) return hit.target;
  const target = findPod(ref);
  resolved.set(key, { at: Date.now(), target });
  target.catch(() => resolved.delete(key));
  return target;
}

async function findPod(ref: AgentRef): Promise<PodTarget> {
  const agent = await locateAgent(ref);
  const why = noRunningPodReason(agent);
  if (why || !agent.pod)
    throw new ClusterError(
      `The images of ${agentLabel(ref)} cannot be read now: ${why}. They can be read once its pod runs.`,
      'unreachable',
    );
  return { ref, cluster: agent.cluster, namespace: ref.namespace, pod: agent.pod.name, podUid: agent.pod.uid, container: agent.container };
}

export function forgetAgentPod(ref: AgentRef): void {
  resolved.delete(volumeKey(ref));
}
