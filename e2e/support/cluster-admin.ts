// What a test does behind the dashboard's back, as the dev cluster's admin: find an agent's
// running pod and run a fixed command in it (to plant files, or to look at its processes).
import { PassThrough, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { e2eState } from './env';

export function adminKube(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(e2eState().cluster.kubeconfig);
  kc.setCurrentContext('admin@devcluster');
  return kc;
}

/** The name of a running, ready (not terminating) pod the selector finds, waiting up to 60 s for one. */
export async function runningPod(namespace: string, labelSelector: string): Promise<string> {
  const core = adminKube().makeApiClient(k8s.CoreV1Api);
  for (let i = 0; i < 240; i++) {
    const pods = await core.listNamespacedPod({ namespace, labelSelector });
    const pod = pods.items.find(
      (p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp && p.status?.containerStatuses?.some((c) => c.ready),
    );
    if (pod) return pod.metadata!.name!;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no running pod for ${labelSelector} in ${namespace}`);
}

/** The running pod of a seeded agent (pods carry the chart's instance and component labels). */
export function agentPod(agent: { namespace: string; release: string; agentKey: string }): Promise<string> {
  return runningPod(agent.namespace, `app.kubernetes.io/instance=${agent.release},app.kubernetes.io/component=${agent.agentKey}`);
}

/** Runs argv in the pod's `openab` container as the cluster admin: its stdout and exit code. */
export function execAsAdmin(namespace: string, pod: string, argv: string[]): Promise<{ out: string; code: number }> {
  let out = '';
  const sink = new Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exec in ${namespace}/${pod} timed out`)), 30_000);
    new k8s.Exec(adminKube())
      .exec(namespace, pod, 'openab', argv, sink, new PassThrough(), null, false, (status) => {
        clearTimeout(timer);
        // Let the last stdout frame land.
        setTimeout(
          () =>
            resolve({
              out,
              code: status.status === 'Success' ? 0 : Number(status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message ?? 1),
            }),
          50,
        );
      })
      .catch((err) => {
        clearTimeout(timer);
        reject(err);
      });
  });
}
