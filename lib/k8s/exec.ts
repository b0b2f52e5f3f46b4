import 'server-only';
import * as k8s from '@kubernetes/client-node';
import { Writable, PassThrough } from 'node:stream';
import type { Cluster } from './clusters';
import { ClusterError } from './errors';

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

const MAX_STDERR = 64 * 1024;

/**
 * Runs argv in a pod's container and resolves when the command has ended, which the
 * client only tells through the status callback: our own deadline covers a dropped
 * connection, and byte caps keep a runaway command from filling memory.
 */
export function execInPod(cluster: Cluster, req: ExecRequest): Promise<ExecOutput> {
  const exec = new k8s.Exec(cluster.kc);
  const maxStdout = req.maxStdoutBytes ?? 8 * 1024 * 1024;
  return new Promise<ExecOutput>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let settled = false;
    let socket: { close(): void; terminate?: () => void } | null = null;

    const finish = (err: Error | null, exitCode = 0) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        socket?.close();
      } catch {
        /* already closed */
      }
      if (err) reject(err);
      else resolve({ stdout: Buffer.concat(chunks), stderr, exitCode });
    };

    const timer = setTimeout(
      () => finish(new ClusterError(`The command in pod ${req.pod} did not finish within ${Math.round(req.timeoutMs / 1000)} s.`, 'timeout')),
      req.timeoutMs,
    );

    const stdout = new Writable({
      write(chunk: Buffer, _enc, cb) {
        stdoutBytes += chunk.length;
        if (stdoutBytes > maxStdout) {
          finish(new ClusterError(`The pod ${req.pod} sent more than ${maxStdout} bytes; stopped reading.`, 'other'));
        } else if (req.onStdout) req.onStdout(chunk);
        else chunks.push(chunk);
        cb();
      },
    });
    const stderrStream = new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (stderr.length < MAX_STDERR) stderr += chunk.toString('utf8').slice(0, MAX_STDERR - stderr.length);
        cb();
      },
    });
    let stdinStream: PassThrough | null = null;
    if (req.stdin !== undefined) {
      stdinStream = new PassThrough();
      stdinStream.end(req.stdin);
    }

    exec
      .exec(req.namespace, req.pod, req.container, req.argv, stdout, stderrStream, stdinStream, false, (status) => {
        if (status.status === 'Success') return finish(null, 0);
        const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
        if (status.reason === 'NonZeroExitCode' && cause) return finish(null, Number(cause.message));
        finish(new ClusterError(describeExecFailure(status, req), status.reason === 'InternalError' ? 'other' : 'server'));
      })
      .then((ws) => {
        socket = ws as unknown as typeof socket;
        if (settled) ws.close();
        ws.on('close', () => {
          // The status frame comes before close; give the stream writers one turn to flush.
          setImmediate(() => finish(new ClusterError(`The connection to pod ${req.pod} closed before the command reported its result.`, 'unreachable')));
        });
        ws.on('error', (err: Error) => finish(new ClusterError(`The connection to pod ${req.pod} failed: ${err.message}`, 'unreachable')));
      })
      .catch((err: Error) => finish(upgradeError(err, req)));
  });
}

function describeExecFailure(status: k8s.V1Status, req: ExecRequest): string {
  const msg = status.message ?? 'unknown error';
  if (/executable file not found|no such file or directory/i.test(msg)) {
    return `"${req.argv[0]}" is not installed in the ${req.container} container of pod ${req.pod}.`;
  }
  return `The command failed in pod ${req.pod}: ${msg.slice(0, 300)}`;
}

function upgradeError(err: Error, req: ExecRequest): ClusterError {
  const text = String(err?.message ?? err);
  const status = Number(/Unexpected server response: (\d+)/.exec(text)?.[1]);
  if (status === 404) return new ClusterError(`Pod ${req.pod} no longer exists.`, 'not-found', 404);
  if (status === 403) return new ClusterError(`The dashboard may not run commands in pod ${req.pod} (403 on pods/exec).`, 'forbidden', 403);
  if (status === 401) return new ClusterError(`The cluster did not accept the dashboard's credentials (401).`, 'unauthorized', 401);
  if (status === 400) return new ClusterError(`Pod ${req.pod} is not running, or has no container "${req.container}".`, 'invalid', 400);
  if (status >= 500) return new ClusterError(`The cluster failed to open a command in pod ${req.pod} (${status}).`, 'server', status);
  if (/ECONNREFUSED|ENOTFOUND/.test(text)) return new ClusterError(`The cluster's API server cannot be reached.`, 'unreachable');
  return new ClusterError(`Could not run a command in pod ${req.pod}: ${text.slice(0, 200)}`, 'other');
}
