// The contract between the dev cluster's API server (devcluster/api) and the
// pod runtime (devcluster/runtime). The API server owns objects and their
// lifecycle; the runtime owns the processes that play a pod's containers.
import type { Readable, Writable } from 'node:stream';

export interface PodSandboxSpec {
  namespace: string;
  /** Pod name; also the sandbox hostname. */
  name: string;
  /** Host directory bound at the container's home (the Deployment's PVC). */
  volumeDir: string;
  /** Where the volume is mounted inside the pod (the chart's working dir, e.g. /home/node). */
  homeDir: string;
  /** Container name (the chart's is `openab`). */
  containerName: string;
  /** The container's image: it names the Codex version the pod runs (see codex-versions.ts). */
  image?: string;
  /** Resolved container environment (secretKeyRef already resolved). */
  env: Record<string, string>;
}

export interface ExecResult {
  /** Exit code of the command; null when killed by a signal. */
  exitCode: number | null;
  /** Set when the command could not be started at all. */
  startError?: 'not-found' | 'not-executable' | string;
}

export interface ExecProcess {
  stdin: Writable | null;
  stdout: Readable;
  stderr: Readable;
  done: Promise<ExecResult>;
  kill(): void;
}

export interface PodHandle {
  readonly spec: PodSandboxSpec;
  /** Runs argv inside the pod's container (joins its namespaces), as uid 1000, cwd = homeDir. */
  exec(argv: string[], opts?: { stdin?: boolean }): ExecProcess;
  /** Kills every process of the pod (including background ones) and removes its private /tmp. */
  stop(): Promise<void>;
}

/**
 * How a pod is kept apart from the machine: `namespaces` (root: its own PID, mount, UTS and IPC
 * namespaces, execs join them), `user-namespace` (an ordinary user: each exec is its own sandbox
 * over the pod's root and volume, but processes share the machine's PID namespace), `none`
 * (plain process groups with HOME on the volume, where bubblewrap cannot run at all).
 */
export type PodIsolation = 'namespaces' | 'user-namespace' | 'none';

/** The one line the dev cluster, the demo and the test runner print about a weaker mode; null when pods are fully isolated. */
export function describeIsolation(isolation: PodIsolation, why: string | null): string | null {
  if (isolation === 'namespaces') return null;
  if (isolation === 'user-namespace') {
    return "pods run as user-namespace sandboxes (not root): each has its own root and volume, but their processes share this machine's process table";
  }
  return `pod isolation is off (bubblewrap unavailable${why ? `: ${why}` : ''}): pods are plain process groups with HOME on their volume`;
}

export interface PodRuntime {
  readonly isolation: PodIsolation;
  /** True when pods run on the pods' image (pod-image.ts), false when on the host's own system. */
  readonly onImage: boolean;
  start(spec: PodSandboxSpec): Promise<PodHandle>;
  /** Stops every pod and removes temporary files. */
  shutdown(): Promise<void>;
}
