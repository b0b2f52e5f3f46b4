// Chooses how pods run: bubblewrap sandboxes where possible, plain process groups otherwise.
import { bwrapUnavailableReason, createBwrapRuntime } from './bwrap';
import { createPlainRuntime } from './plain';
import type { PodRuntime } from './types';

export type { ExecProcess, ExecResult, PodHandle, PodRuntime, PodSandboxSpec } from './types';
export { bwrapUnavailableReason } from './bwrap';

/**
 * Pods are bubblewrap sandboxes unless `isolated: false` is asked for or
 * bubblewrap cannot run here; then they are plain process groups and the
 * runtime's `isolated` is false (callers should say so).
 */
export async function createPodRuntime(opts: { tmpDir: string; issuerUrl: string; isolated?: boolean }): Promise<PodRuntime> {
  if (opts.isolated !== false && bwrapUnavailableReason() === null) return createBwrapRuntime(opts);
  return createPlainRuntime(opts);
}
