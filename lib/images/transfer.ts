import 'server-only';
import { execInPodStreaming } from '../k8s/exec-stream';
import { ClusterError } from '../k8s/errors';
import type { PodTarget } from './agent-pod';
import { TRANSFER_NODE, WITH_CODEX_HOME } from './pod-scripts';
import { MAX_IMAGE_BYTES } from './paths';
import { imageSettings } from './settings';
import { tarReader, type TarHandlers, type WantedFile } from './tar-reader';

/**
 * Fetches many images from a pod in ONE exec, as a tar stream read as it arrives, with
 * backpressure down to the connection: a slow consumer pauses the transfer instead of
 * buffering it. Every wanted file ends in exactly one handler call (onFile or onError).
 */
export async function transferImages(target: PodTarget, wanted: WantedFile[], handlers: TarHandlers): Promise<void> {
  if (wanted.length === 0) return;
  const reader = tarReader(wanted, handlers);
  const total = wanted.reduce((n, w) => n + w.size, 0);
  const exec = execInPodStreaming(target.cluster, {
    namespace: target.namespace,
    pod: target.pod,
    container: target.container,
    argv: ['sh', '-c', WITH_CODEX_HOME, 'openab-transfer', TRANSFER_NODE, String(MAX_IMAGE_BYTES)],
    stdin: JSON.stringify(wanted.map((w) => ({ p: w.name, s: w.size }))),
    timeoutMs: imageSettings().execTimeoutMs,
    maxStdoutBytes: total + wanted.length * 2048 + 64 * 1024,
  });
  reader.pipeFrom(exec.stdout);
  try {
    await reader.done;
  } catch (err) {
    const cause = await exec.result.then(() => null, (e: Error) => e);
    if (cause instanceof ClusterError) throw cause;
    throw new ClusterError(`The images from pod ${target.pod} arrived damaged (${(err as Error).message}).`, 'other');
  }
  await exec.result;
}
