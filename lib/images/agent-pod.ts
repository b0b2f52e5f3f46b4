import 'server-only';
import { getCluster, type Cluster } from '../k8s/clusters';
import { getDeployment, listDeploymentPods, summarizePod } from '../k8s/agents';
import { ClusterError } from '../k8s/errors';
import { getSettings } from '../settings';

/** One agent as the image code addresses it. */
export interface AgentRef {
  clusterId: string;
  namespace: string;
  /** The Deployment's name. */
  name: string;
}

/**
 * Where an agent's files are: the Deployment's volume outlives its pods (the chart's PVC),
 * so caches key on the Deployment, not the pod.
 */
export function volumeKey(ref: AgentRef): string {
  return `${ref.clusterId}/${ref.namespace}/${ref.name}`;
}

export interface PodTarget {
  ref: AgentRef;
  cluster: Cluster;
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
}

const resolved = new Map<string, { at: number; target: Promise<PodTarget> }>();
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
  const cluster = getCluster(ref.clusterId);
  const deployment = await getDeployment(cluster, ref.namespace, ref.name);
  const { containerName } = getSettings();
  const pods = (await listDeploymentPods(cluster, deployment)).map((p) => summarizePod(p, containerName));
  const pod = pods.find((p) => p.phase === 'Running' && !p.terminating && !p.crashLooping && p.hasAgentContainer);
  if (!pod) {
    const newest = pods[0];
    throw new ClusterError(
      newest ? `The agent ${ref.namespace}/${ref.name} has no running pod (it is ${newest.status}); its images can be read once it runs.` : `The agent ${ref.namespace}/${ref.name} has no pod.`,
      'unreachable',
    );
  }
  return { ref, cluster, namespace: ref.namespace, pod: pod.name, podUid: pod.uid, container: containerName };
}

export function forgetAgentPod(ref: AgentRef): void {
  resolved.delete(volumeKey(ref));
}
