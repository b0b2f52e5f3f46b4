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

/** What both ways of running a program ask of exec: the program in the target's container, within the caller's bounds. */
function programExec(target: PodExecTarget, name: PodProgramName, args: string[], opts: RunOptions) {
  const { argv, stdin, nonce } = invocation(name, args, opts);
  const { namespace, pod, container } = target;
  return { nonce, request: { namespace, pod, container, argv, stdin, timeoutMs: opts.timeoutMs, maxStdoutBytes: opts.maxStdoutBytes } };
}

export async function runPodProgram(target: PodExecTarget, name: PodProgramName, args: string[], opts: RunOptions): Promise<ProgramOutput> {
  const { nonce, request } = programExec(target, name, args, opts);
  const reader = opts.stream ? new FrameReader(nonce, opts.stream) : null;
  const out = await execInPod(target.cluster, {
    ...request,
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
  return execInPodStreaming(target.cluster, { ...programExec(target, name, args, opts).request, maxStdoutBytes: opts.maxStdoutBytes });
}
