import 'server-only';
import * as k8s from '@kubernetes/client-node';
import { PassThrough, Writable, type Readable } from 'node:stream';
import type { Cluster } from './clusters';
import { ClusterError } from './errors';

export interface StreamingExecRequest {
  namespace: string;
  pod: string;
  container: string;
  /** argv, never a shell string built from input. */
  argv: string[];
  /** Bytes for the command's stdin, or a stream written later (its end closes stdin). */
  stdin?: Buffer | string | Readable;
  timeoutMs: number;
  /** Stdout beyond this many bytes ends the exec with an error. */
  maxStdoutBytes: number;
  /** Bytes held for a slow reader before the connection is paused (default 4 MiB). */
  highWaterMark?: number;
}

export interface StreamingExec {
  /** The command's stdout; errors (deadline, dropped connection, cap) arrive as a stream error. */
  stdout: Readable;
  /** Resolves with the exit code once the command ended and stdout was fully delivered. */
  result: Promise<{ exitCode: number; stderr: string }>;
  /** How often the reader fell behind and the connection was paused (for tests and figures). */
  pauses(): number;
}

const MAX_STDERR = 64 * 1024;

/**
 * Like execInPod, but stdout is a stream with backpressure: when the reader falls behind,
 * the WebSocket is paused, so a large transfer never piles up in the dashboard's memory.
 */
export function execInPodStreaming(cluster: Cluster, req: StreamingExecRequest): StreamingExec {
  const exec = new k8s.Exec(cluster.kc);
  const out = new PassThrough({ highWaterMark: req.highWaterMark ?? 4 * 1024 * 1024 });
  let socket: { close(): void; pause?: () => void; resume?: () => void } | null = null;
  let paused = false;
  let pauses = 0;
  let stdoutBytes = 0;
  let stderr = '';
  let settled = false;
  let resolveResult!: (v: { exitCode: number; stderr: string }) => void;
  let rejectResult!: (e: Error) => void;
  const result = new Promise<{ exitCode: number; stderr: string }>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  result.catch(() => undefined);

  const finish = (err: Error | null, exitCode = 0) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    try {
      socket?.close();
    } catch {
      /* already closed */
    }
    if (err) {
      out.destroy(err);
      rejectResult(err);
      return;
    }
    out.end();
    // The exit status is known; report it once the reader has taken every byte.
    if (out.readableEnded) resolveResult({ exitCode, stderr });
    else {
      out.once('end', () => resolveResult({ exitCode, stderr }));
      out.once('close', () => resolveResult({ exitCode, stderr }));
    }
  };

  const timer = setTimeout(
    () => finish(new ClusterError(`The command in pod ${req.pod} did not finish within ${Math.round(req.timeoutMs / 1000)} s.`, 'timeout')),
    req.timeoutMs,
  );

  out.on('drain', () => {
    if (paused) {
      paused = false;
      socket?.resume?.();
    }
  });

  const stdout = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (settled) return cb();
      stdoutBytes += chunk.length;
      if (stdoutBytes > req.maxStdoutBytes) {
        finish(new ClusterError(`The pod ${req.pod} sent more than ${req.maxStdoutBytes} bytes; stopped reading.`, 'other'));
      } else if (!out.write(chunk) && !paused) {
        paused = true;
        pauses++;
        socket?.pause?.();
      }
      cb();
    },
    final(cb) {
      cb();
    },
  });
  const stderrStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (stderr.length < MAX_STDERR) stderr += chunk.toString('utf8').slice(0, MAX_STDERR - stderr.length);
      cb();
    },
  });
  let stdinStream: Readable | null = null;
  if (typeof req.stdin === 'string' || Buffer.isBuffer(req.stdin)) {
    const bytes = new PassThrough();
    bytes.end(req.stdin);
    stdinStream = bytes;
  } else if (req.stdin) stdinStream = req.stdin;

  exec
    .exec(req.namespace, req.pod, req.container, req.argv, stdout, stderrStream, stdinStream, false, (status) => {
      if (status.status === 'Success') return finish(null, 0);
      const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
      if (status.reason === 'NonZeroExitCode' && cause) return finish(null, Number(cause.message));
      finish(new ClusterError(describeExecFailure(status, req), 'server'));
    })
    .then((ws) => {
      socket = ws as unknown as typeof socket;
      if (settled) ws.close();
      else if (paused) socket?.pause?.();
      ws.on('close', () => {
        setImmediate(() =>
          finish(new ClusterError(`The connection to pod ${req.pod} closed before the command reported its result.`, 'unreachable')),
        );
      });
      ws.on('error', (err: Error) => finish(new ClusterError(`The connection to pod ${req.pod} failed: ${err.message}`, 'unreachable')));
    })
    .catch((err: Error) => finish(upgradeError(err, req)));

  return { stdout: out, result, pauses: () => pauses };
}

function describeExecFailure(status: k8s.V1Status, req: StreamingExecRequest): string {
  const msg = status.message ?? 'unknown error';
  if (/executable file not found|no such file or directory/i.test(msg)) {
    return `"${req.argv[0]}" is not installed in the ${req.container} container of pod ${req.pod}.`;
  }
  return `The command failed in pod ${req.pod}: ${msg.slice(0, 300)}`;
}

/** The client loses an upgrade's body: only the status code in its message tells what went wrong. */
function upgradeError(err: Error, req: StreamingExecRequest): ClusterError {
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
