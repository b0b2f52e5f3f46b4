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

export interface PodRuntime {
  /** False when bubblewrap is unavailable and pods are plain process groups. */
  readonly isolated: boolean;
  /** True when pods run on the pods' image (pod-image.ts), false when on the host's own system. */
  readonly onImage: boolean;
  start(spec: PodSandboxSpec): Promise<PodHandle>;
  /** Stops every pod and removes temporary files. */
  shutdown(): Promise<void>;
}
