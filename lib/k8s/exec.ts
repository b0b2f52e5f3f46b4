import 'server-only';
import type { Cluster } from './clusters';
import { execInPodStreaming } from './exec-stream';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  /** argv, never a shell string built from input. */
  argv: string[];
  stdin?: Buffer | string;
  timeoutMs: number;
  /** Stdout beyond this many bytes ends the exec with an error. */
  maxStdoutBytes?: number;
  /** Receives stdout chunks as they arrive instead of buffering them (for streaming). */
  onStdout?: (chunk: Buffer) => void;
}

export interface ExecOutput {
  stdout: Buffer;
  stderr: string;
  /** 0 on success; the command's exit code otherwise. */
  exitCode: number;
}

/**
 * Runs argv in a pod's container and resolves when the command has ended, with its whole
 * stdout (capped). The client only tells the end through the status callback: the streaming
 * exec underneath adds our own deadline for a dropped connection and the byte cap.
 */
export async function execInPod(cluster: Cluster, req: ExecRequest): Promise<ExecOutput> {
  const exec = execInPodStreaming(cluster, { ...req, maxStdoutBytes: req.maxStdoutBytes ?? 8 * 1024 * 1024 });
  const chunks: Buffer[] = [];
  exec.stdout.on('data', (chunk: Buffer) => (req.onStdout ? req.onStdout(chunk) : chunks.push(chunk)));
  exec.stdout.on('error', () => undefined);
  const { exitCode, stderr } = await exec.result;
  return { stdout: Buffer.concat(chunks), stderr, exitCode };
}
