import 'server-only';
import { startPodProgram } from '../pod/run';
import { ClusterError } from '../k8s/errors';
import type { PodTarget } from './agent-pod';
import { MAX_IMAGE_BYTES } from './paths';
import { imageSettings } from './settings';
import { tarReader, type PageFile, type TarHandlers, type WantedFile } from './tar-reader';

/** Tar headers and padding around the files (and a page's list of them), at most. */
const overhead = (files: number) => files * 2048 + 64 * 1024;

/**
 * Runs the transfer program with `request` on stdin and reads its tar as it arrives, with
 * backpressure down to the connection: a slow consumer pauses the transfer instead of
 * buffering it. Every file it carries ends in exactly one handler call.
 */
async function runTransfer(
  target: PodTarget,
  request: unknown,
  wanted: WantedFile[],
  handlers: TarHandlers,
  capacity: number,
  source: 'generated' | 'stable' = 'generated',
): Promise<void> {
  const exec = startPodProgram(target, 'transfer', [String(MAX_IMAGE_BYTES), source], {
    input: JSON.stringify(request),
    timeoutMs: imageSettings().execTimeoutMs,
    maxStdoutBytes: capacity,
  });
  const reader = tarReader(wanted, handlers);
  reader.pipeFrom(exec.stdout);
  try {
    await reader.done;
  } catch (err) {
    const cause = await exec.result.then(
      () => null,
      (e: Error) => e,
    );
    if (cause instanceof ClusterError) throw cause;
    throw new ClusterError(`The images from pod ${target.pod} arrived damaged (${(err as Error).message}).`, 'other');
  }
  await exec.result;
}

/** Fetches many images from a pod in ONE exec, as a tar stream read as it arrives. */
export async function transferImages(target: PodTarget, wanted: WantedFile[], handlers: TarHandlers): Promise<void> {
  // Stable copies come from their own folder: one more exec only when a batch holds some.
  const stable = wanted.filter((w) => w.source === 'stable');
  const generated = wanted.filter((w) => w.source !== 'stable');
  for (const [files, source] of [
    [generated, 'generated'],
    [stable, 'stable'],
  ] as const) {
    if (files.length === 0) continue;
    const total = files.reduce((n, w) => n + w.size, 0) + overhead(files.length);
    await runTransfer(
      target,
      files.map((w) => ({ p: w.name, s: w.size, m: w.mtimeMs === undefined ? undefined : Math.round(w.mtimeMs), i: w.ino })),
      files,
      handlers,
      total,
      source,
    );
  }
}

/** A gallery page as the dashboard would pick it from a listing; see lib/pod/programs/node/transfer.js. */
export interface PageRequest {
  offset: number;
  size: number;
  from?: string;
  to?: string;
  session?: string;
}

/**
 * One exec that picks a page of images in the pod and sends it, without waiting for a
 * listing: `onPage` hears which files (minus those in `skip`, `name|size|mtime`, whose
 * thumbnails are at hand) before their bytes arrive. It carries as much as the transfers
 * of one agent may carry side by side; what is over is left for the usual way.
 */
export async function transferPage(
  target: PodTarget,
  page: PageRequest,
  skip: string[],
  handlers: TarHandlers & { onPage(files: PageFile[]): void },
): Promise<void> {
  const { batchMaxBytes, batchMaxFiles, transfersPerVolume } = imageSettings();
  const maxBytes = batchMaxBytes * transfersPerVolume;
  const request = { page: { ...page, maxBytes, maxFiles: batchMaxFiles * transfersPerVolume }, skip };
  await runTransfer(target, request, [], handlers, maxBytes + overhead(batchMaxFiles * transfersPerVolume));
}
