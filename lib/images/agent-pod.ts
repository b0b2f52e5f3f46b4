import 'server-only';
import { getCluster, type Cluster } from '../k8s/clusters';
import { getDeploymentWithPods, summarizePod } from '../k8s/agents';
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

const K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Label selectors as Kubernetes reads them: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`. */
export function matchesSelector(selector: string, labels: Record<string, string>): boolean {
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g) ?? [];
  return terms
    .map((t) => t.trim())
    .filter(Boolean)
    .every((term) => {
      const set = /^([^\s!=]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
      if (set) {
        const values = set[3].split(',').map((v) => v.trim());
        const has = set[1] in labels && values.includes(labels[set[1]]);
        return set[2] === 'in' ? has : !has;
      }
      const neq = /^([^!=]+)!=(.*)$/.exec(term);
      if (neq) return labels[neq[1].trim()] !== neq[2].trim();
      const eq = /^([^=]+)==?(.*)$/.exec(term);
      if (eq) return labels[eq[1].trim()] === eq[2].trim();
      return term.startsWith('!') ? !(term.slice(1).trim() in labels) : term in labels;
    });
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
  const { containerName, agentSelector, namespaces } = getSettings();
  if (!K8S_NAME.test(ref.namespace) || !K8S_NAME.test(ref.name) || (namespaces && !namespaces.includes(ref.namespace))) {
    throw new ClusterError(`There is no agent ${ref.namespace}/${ref.name} in this dashboard's scope.`, 'not-found', 404);
  }
  const { deployment, pods: own } = await getDeploymentWithPods(cluster, ref.namespace, ref.name);
  // Only Codex agents: the image routes must not read files of any other workload.
  if (!matchesSelector(agentSelector, deployment.metadata?.labels ?? {})) {
    throw new ClusterError(`${ref.namespace}/${ref.name} is not a Codex agent of this dashboard.`, 'not-found', 404);
  }
  const pods = own.map((p) => summarizePod(p, containerName));
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
