import 'server-only';
// The one runner of pod programs: a named program, its arguments, its input; its frames back.
import type { Cluster } from '../k8s/clusters';
import { execInPod, type ExecOutput } from '../k8s/exec';
import { execInPodStreaming } from '../k8s/exec-stream';
import { FrameReader, parseFrames, type Frame, type FrameHandlers } from './frames';
import { invocation, type InvocationOptions, type PodProgramName } from './invocation';

export interface PodExecTarget {
  cluster: Cluster;
  namespace: string;
  pod: string;
  container: string;
}

export interface RunOptions extends Omit<InvocationOptions, 'nonce'> {
  timeoutMs: number;
  maxStdoutBytes?: number;
  /** Read the frames as they stream instead of keeping the whole output (long listings). */
  stream?: FrameHandlers;
}

export interface ProgramOutput extends ExecOutput {
  /** Empty when the frames were streamed. */
  frames: Frame[];
}

export async function runPodProgram(target: PodExecTarget, name: PodProgramName, args: string[], opts: RunOptions): Promise<ProgramOutput> {
  const { argv, stdin, nonce } = invocation(name, args, opts);
  const reader = opts.stream ? new FrameReader(nonce, opts.stream) : null;
  const out = await execInPod(target.cluster, {
    namespace: target.namespace,
    pod: target.pod,
    container: target.container,
    argv,
    stdin,
    timeoutMs: opts.timeoutMs,
    maxStdoutBytes: opts.maxStdoutBytes,
    ...(reader ? { onStdout: (chunk: Buffer) => reader.write(chunk) } : {}),
  });
  reader?.end();
  return { ...out, frames: reader ? [] : parseFrames(out.stdout, nonce) };
}

/** A program whose output is not frames but a stream of its own (the transfer's tar). */
export function startPodProgram(
  target: PodExecTarget,
  name: PodProgramName,
  args: string[],
  opts: Omit<RunOptions, 'stream'> & { maxStdoutBytes: number },
) {
  const { argv, stdin } = invocation(name, args, opts);
  return execInPodStreaming(target.cluster, {
    namespace: target.namespace,
    pod: target.pod,
    container: target.container,
    argv,
    stdin,
    timeoutMs: opts.timeoutMs,
    maxStdoutBytes: opts.maxStdoutBytes,
  });
}
