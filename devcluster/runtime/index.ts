// Chooses how pods run: bubblewrap sandboxes with their own namespaces as root, bubblewrap
// sandboxes per exec in a user namespace as an ordinary user, plain process groups otherwise.
import { bwrapUnavailableReason, createBwrapRuntime } from './bwrap';
import { createRootlessRuntime, rootlessUnavailableReason } from './rootless';
import { createPlainRuntime } from './plain';
import { builtPodImage, ensurePodImage, podImageUnbuildableReason } from './pod-image';
import { FIELD_CODEX_VERSIONS, codexPackageFor } from './codex-versions';
import type { PodRuntime } from './types';

export type { ExecProcess, ExecResult, PodHandle, PodIsolation, PodRuntime, PodSandboxSpec } from './types';
export { describeIsolation } from './types';
export { bwrapUnavailableReason } from './bwrap';
export { rootlessUnavailableReason } from './rootless';
export { podImageUnbuildableReason } from './pod-image';

/**
 * Pods are bubblewrap sandboxes unless `isolated: false` is asked for or bubblewrap cannot run
 * here; then they are plain process groups. The runtime's `isolation` says which (callers
 * print describeIsolation()).
 */
export async function createPodRuntime(opts: {
  tmpDir: string;
  issuerUrl: string;
  isolated?: boolean;
  log?: (line: string) => void;
}): Promise<PodRuntime> {
  if (opts.isolated === false) return createPlainRuntime(opts);
  const full = bwrapUnavailableReason() === null;
  if (full || rootlessUnavailableReason() === null) {
    // The pods' image is built on first use where the machine can (mmdebstrap, as root or in a
    // user namespace); elsewhere pods see the host's system directories (the runtime's onImage).
    const imageRoot = builtPodImage() ?? (podImageUnbuildableReason() === null ? ensurePodImage(opts.log) : null);
    return (full ? createBwrapRuntime : createRootlessRuntime)({ tmpDir: opts.tmpDir, issuerUrl: opts.issuerUrl, imageRoot });
  }
  return createPlainRuntime(opts);
}

/**
 * What pods need before the first one starts, fetched and built once per machine: the pods'
 * image (where this machine can build it; see pod-image.ts) and every Codex version of the
 * field. `npm test`, the demo and the bench call it up front, so no pod start waits on it.
 */
export function preparePods(log: (line: string) => void): { onImage: boolean; why?: string } {
  for (const version of FIELD_CODEX_VERSIONS) codexPackageFor(version);
  const why = builtPodImage() ? null : podImageUnbuildableReason();
  if (why) return { onImage: false, why };
  ensurePodImage(log);
  return { onImage: true };
}
