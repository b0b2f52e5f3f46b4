import 'server-only';
import { PassThrough } from 'node:stream';
import { execInPodStreaming, type StreamingExec } from '../k8s/exec-stream';
import { ClusterError } from '../k8s/errors';
import type { PodTarget } from './agent-pod';
import { TRANSFER_NODE, WITH_CODEX_HOME } from './pod-scripts';
import { MAX_IMAGE_BYTES } from './paths';
import { imageSettings } from './settings';
import { tarReader, type TarHandlers, type WantedFile } from './tar-reader';

/**
 * A transfer exec started ahead of knowing what it will carry: the pod's program waits for
 * the list on stdin, so the exec's round trips and the program's start-up overlap other
 * work (the listing). `send` runs it once; `cancel` lets the program end with nothing sent.
 */
export interface OpenTransfer {
  target: PodTarget;
  /** Most bytes it may carry (its stdout cap was set when it started). */
  capacity: number;
  /** False once it was used, cancelled, or its exec failed. */
  usable(): boolean;
  send(wanted: WantedFile[], handlers: TarHandlers): Promise<void>;
  cancel(): void;
}

/** Tar headers and padding around the files, at most. */
const overhead = (files: number) => files * 2048 + 64 * 1024;

/** What a prepared transfer must be able to carry: one batch, or one file of the largest size. */
function batchCapacity(): number {
  const { batchMaxBytes, batchMaxFiles } = imageSettings();
  return Math.max(batchMaxBytes, MAX_IMAGE_BYTES) + overhead(batchMaxFiles);
}

export function openTransfer(target: PodTarget, capacity = batchCapacity()): OpenTransfer {
  const stdin = new PassThrough();
  const exec: StreamingExec = execInPodStreaming(target.cluster, {
    namespace: target.namespace,
    pod: target.pod,
    container: target.container,
    argv: ['sh', '-c', WITH_CODEX_HOME, 'openab-transfer', TRANSFER_NODE, String(MAX_IMAGE_BYTES)],
    stdin,
    timeoutMs: imageSettings().execTimeoutMs,
    maxStdoutBytes: capacity,
  });
  let state: 'open' | 'used' | 'failed' = 'open';
  exec.result.catch(() => {
    if (state === 'open') state = 'failed';
  });
  // Until `send` reads it, nobody listens to stdout: a failure while waiting (the pod went,
  // the exec was refused) is told by `result`, and must not be an unhandled stream error.
  exec.stdout.on('error', () => undefined);
  return {
    target,
    capacity,
    usable: () => state === 'open',
    async send(wanted, handlers) {
      if (state !== 'open') throw new Error('this transfer was already used');
      state = 'used';
      const reader = tarReader(wanted, handlers);
      reader.pipeFrom(exec.stdout);
      stdin.end(JSON.stringify(wanted.map((w) => ({ p: w.name, s: w.size }))));
      try {
        await reader.done;
      } catch (err) {
        const cause = await exec.result.then(() => null, (e: Error) => e);
        if (cause instanceof ClusterError) throw cause;
        throw new ClusterError(`The images from pod ${target.pod} arrived damaged (${(err as Error).message}).`, 'other');
      }
      await exec.result;
    },
    cancel() {
      if (state !== 'open') return;
      state = 'used';
      // An empty list: the program writes the end of an empty archive and exits.
      exec.stdout.resume();
      stdin.end('[]');
    },
  };
}

/**
 * Fetches many images from a pod in ONE exec, as a tar stream read as it arrives, with
 * backpressure down to the connection: a slow consumer pauses the transfer instead of
 * buffering it. Every wanted file ends in exactly one handler call (onFile/onBytes or onError).
 */
export async function transferImages(target: PodTarget, wanted: WantedFile[], handlers: TarHandlers, prepared?: OpenTransfer | null): Promise<void> {
  if (wanted.length === 0) {
    prepared?.cancel();
    return;
  }
  const total = wanted.reduce((n, w) => n + w.size, 0) + overhead(wanted.length);
  const usePrepared = prepared && prepared.usable() && prepared.target.podUid === target.podUid && prepared.capacity >= total;
  if (prepared && !usePrepared) prepared.cancel();
  const transfer = usePrepared ? prepared : openTransfer(target, total);
  await transfer.send(wanted, handlers);
}
