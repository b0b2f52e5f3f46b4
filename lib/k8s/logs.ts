import 'server-only';
import * as k8s from '@kubernetes/client-node';
import { PassThrough } from 'node:stream';
import { withDeadline, type Cluster } from './clusters';
import { ClusterError, toClusterError } from './errors';

export interface LogRequest {
  namespace: string;
  pod: string;
  container: string;
  tailLines?: number;
  previous?: boolean;
}

/** The last lines of a container's log. */
export async function readPodLog(cluster: Cluster, req: LogRequest): Promise<string> {
  const what = `reading the log of ${req.namespace}/${req.pod}`;
  try {
    const text = await withDeadline(
      cluster.core.readNamespacedPodLog({
        namespace: req.namespace,
        name: req.pod,
        container: req.container,
        tailLines: req.tailLines ?? 200,
        previous: req.previous ?? false,
      }),
      10_000,
      what,
    );
    return String(text ?? '');
  } catch (err) {
    const failure = toClusterError(err, what);
    // The API server answers 400 when the container never restarted: a plain "there is none".
    if (req.previous && failure.status === 400) {
      throw new ClusterError(
        `Pod ${req.pod} has no log of a previous "${req.container}" container: it has not restarted since the pod started.`,
        'invalid',
        400,
      );
    }
    throw failure;
  }
}

/**
 * Follows a container's log: new lines go to onLine until the signal aborts.
 * Returns when the stream ends.
 */
export async function followPodLog(cluster: Cluster, req: LogRequest, onChunk: (text: string) => void, signal: AbortSignal): Promise<void> {
  const log = new k8s.Log(cluster.kc);
  const out = new PassThrough();
  out.on('data', (chunk: Buffer) => onChunk(chunk.toString('utf8')));
  const controller = await log.log(req.namespace, req.pod, req.container, out, {
    follow: true,
    tailLines: req.tailLines ?? 100,
  });
  await new Promise<void>((resolve) => {
    const stop = () => {
      controller.abort();
      resolve();
    };
    if (signal.aborted) stop();
    signal.addEventListener('abort', stop, { once: true });
    out.on('end', resolve);
    out.on('error', resolve);
  });
}
