import 'server-only';
import * as k8s from '@kubernetes/client-node';
import { withDeadline, type Cluster } from './clusters';
import { toClusterError } from './errors';
import { listDeploymentPods, summarizePod } from './agents';
import { getSettings } from '../settings';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/**
 * `kubectl rollout restart`: the same strategic-merge patch, the same field manager.
 * Returns the generation the rollout must reach.
 */
export async function restartDeployment(
  cluster: Cluster,
  namespace: string,
  name: string,
  now = new Date(),
): Promise<{ generation: number; restartedAt: string }> {
  const restartedAt = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  try {
    const d = await withDeadline(
      cluster.apps.patchNamespacedDeployment(
        {
          namespace,
          name,
          fieldManager: 'kubectl-rollout',
          body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
      ),
      10_000,
      `restarting ${namespace}/${name}`,
    );
    return { generation: d.metadata?.generation ?? 0, restartedAt };
  } catch (err) {
    throw toClusterError(err, `restarting ${namespace}/${name}`);
  }
}

export type RolloutPhase = 'idle' | 'terminating-old' | 'pending' | 'starting' | 'ready' | 'failed';

export interface RolloutStatus {
  phase: RolloutPhase;
  /** One line for the UI: what is happening now. */
  message: string;
  done: boolean;
  failed: boolean;
  generation: number;
  observedGeneration: number;
  restartedAt: string | null;
  pods: Array<{ name: string; status: string; ready: boolean; restarts: number; terminating: boolean; reason: string | null }>;
}

/**
 * Where a Deployment's rollout stands, read from the cluster (so it survives page reloads and
 * dashboard restarts): done when the controller observed the latest generation, every replica
 * is updated, ready and available, and no old pod remains (kubectl's rule).
 */
export async function readRolloutStatus(cluster: Cluster, namespace: string, name: string): Promise<RolloutStatus> {
  let d: k8s.V1Deployment;
  try {
    d = await withDeadline(cluster.apps.readNamespacedDeployment({ namespace, name }), 10_000, `reading ${namespace}/${name}`);
  } catch (err) {
    throw toClusterError(err, `reading ${namespace}/${name}`);
  }
  return rolloutStatusOfObjects(d, await listDeploymentPods(cluster, d));
}

/** The rollout status from a Deployment and its pods already read (the agent page reads each once). */
export function rolloutStatusOfObjects(d: k8s.V1Deployment, pods: k8s.V1Pod[]): RolloutStatus {
  const { containerName } = getSettings();
  const summaries = pods.map((p) => {
    const s = summarizePod(p, containerName);
    const waiting = p.status?.containerStatuses?.find((c) => c.name === containerName)?.state?.waiting;
    return {
      name: s.name,
      status: s.status,
      ready: s.ready,
      restarts: s.restarts,
      terminating: s.terminating,
      reason: waiting?.message ?? waiting?.reason ?? null,
    };
  });
  return rolloutStatusOf(d, summaries);
}

export function rolloutStatusOf(d: k8s.V1Deployment, pods: RolloutStatus['pods']): RolloutStatus {
  const generation = d.metadata?.generation ?? 0;
  const observed = d.status?.observedGeneration ?? 0;
  const want = d.spec?.replicas ?? 1;
  const updated = d.status?.updatedReplicas ?? 0;
  const ready = d.status?.readyReplicas ?? 0;
  const available = d.status?.availableReplicas ?? 0;
  const total = d.status?.replicas ?? 0;
  const restartedAt = d.spec?.template?.metadata?.annotations?.[RESTARTED_AT] ?? null;
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  const base = { generation, observedGeneration: observed, restartedAt, pods };

  if (progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded') {
    return {
      ...base,
      phase: 'failed',
      done: true,
      failed: true,
      message: `The rollout exceeded its progress deadline: ${progressing.message ?? 'the new pod did not become ready'}.`,
    };
  }
  const crashing = pods.find(
    (p) => !p.terminating && /CrashLoopBackOff|ImagePullBackOff|ErrImagePull|CreateContainerConfigError|RunContainerError/.test(p.status),
  );
  if (crashing && observed >= generation) {
    const why = /ImagePull|ErrImagePull/.test(crashing.status)
      ? 'its image cannot be pulled'
      : crashing.status === 'CrashLoopBackOff'
        ? 'it is crash-looping'
        : crashing.status;
    return {
      ...base,
      phase: 'failed',
      done: true,
      failed: true,
      message: `The new pod ${crashing.name} does not start: ${why}${crashing.reason && crashing.reason !== crashing.status ? ` (${crashing.reason})` : ''}.`,
    };
  }
  if (observed < generation)
    return { ...base, phase: 'terminating-old', done: false, failed: false, message: 'Waiting for the controller to pick up the change…' };
  const oldPods = pods.filter((p) => p.terminating);
  if (oldPods.length > 0)
    return { ...base, phase: 'terminating-old', done: false, failed: false, message: `Old pod ${oldPods[0].name} is terminating.` };
  if (updated >= want && ready >= want && available >= want && total === want) {
    return { ...base, phase: 'ready', done: true, failed: false, message: 'The new pod is running and ready.' };
  }
  const fresh = pods.find((p) => !p.terminating);
  if (!fresh || fresh.status === 'Pending' || fresh.status === 'ContainerCreating') {
    return {
      ...base,
      phase: 'pending',
      done: false,
      failed: false,
      message: fresh ? `New pod ${fresh.name} is pending.` : 'Waiting for the new pod to be created…',
    };
  }
  return {
    ...base,
    phase: 'starting',
    done: false,
    failed: false,
    message: `New pod ${fresh.name} is ${fresh.status.toLowerCase()}, waiting for it to be ready.`,
  };
}
