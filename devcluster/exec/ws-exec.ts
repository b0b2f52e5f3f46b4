// The kubelet side of `pods/exec` over WebSocket (the channel.k8s.io family of
// subprotocols), playing one ExecProcess.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ExecProcess, ExecResult } from '../runtime/types';

/** In the server's order of preference. */
export const EXEC_PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
] as const;

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const STATUS = 3;
const CLOSE = 255;

// Output waiting in the socket beyond this pauses the process's pipes, so a
// slow client cannot make us buffer a whole 20 MB download in memory.
const HIGH_WATER = 1 << 20;
const LOW_WATER = 256 << 10;

export interface UpgradeExecOptions {
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  start(): ExecProcess;
  fault?: 'drop' | 'stall';
}

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (offered) => pickProtocol([...offered]) ?? false,
});

function pickProtocol(offered: string[]): string | undefined {
  return EXEC_PROTOCOLS.find((p) => offered.includes(p));
}

function offeredProtocols(req: IncomingMessage): string[] {
  const header = req.headers['sec-websocket-protocol'];
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

function rejectUpgrade(socket: Duplex, code: number, reason: string, message: string): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  socket.end(
    `HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export function upgradeExec(req: IncomingMessage, socket: Duplex, head: Buffer, opts: UpgradeExecOptions): void {
  const offered = offeredProtocols(req);
  // A client naming no subprotocol at all gets the original channel.k8s.io, as
  // from a kubelet; one naming only others is refused.
  if (offered.length > 0 && !pickProtocol(offered)) {
    rejectUpgrade(socket, 400, 'Bad Request', `no supported exec subprotocol offered; supported: ${EXEC_PROTOCOLS.join(', ')}`);
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => runExec(ws, opts, socket));
}

/** The Status a kubelet (CRI, runc) reports for how a command ended. */
export function execStatus(command: string[], result: ExecResult): Record<string, unknown> {
  if (result.startError) {
    const name = JSON.stringify(command[0] ?? '');
    const cause =
      result.startError === 'not-found'
        ? `exec: ${name}: executable file not found in $PATH`
        : result.startError === 'not-executable'
          ? `exec: ${name}: permission denied`
          : result.startError;
    const message =
      `Internal error occurred: error executing command in container: failed to exec in container: ` +
      `failed to start exec "${randomBytes(32).toString('hex')}": OCI runtime exec failed: exec failed: ` +
      `unable to start container process: ${cause}: unknown`;
    return { metadata: {}, status: 'Failure', message, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 };
  }
  // A command killed by a signal is reported by the runtime as 128 + signal; we only ever SIGKILL.
  const code = result.exitCode ?? 137;
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/**
 * Writes one binary WebSocket message `[channel, ...data]` straight to the connection:
 * the frame header and the channel byte go first, then the pipe's chunk as it came, so the
 * relay copies nothing (ws would need one buffer, i.e. a copy of every chunk, and the churn
 * of those copies cost more CPU than the rest of the relay). Safe beside ws's own writes:
 * with compression off ws writes synchronously to the same socket, so order is kept.
 */
function sendChannelData(socket: Duplex, channel: number, data: Buffer, cb: () => void): void {
  const length = data.length + 1;
  const extra = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const head = Buffer.allocUnsafe(2 + extra + 1);
  head[0] = 0x82; // FIN, binary
  if (extra === 0) head[1] = length;
  else if (extra === 2) {
    head[1] = 126;
    head.writeUInt16BE(length, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(length), 2);
  }
  head[2 + extra] = channel;
  socket.cork();
  socket.write(head);
  socket.write(data, () => cb());
  socket.uncork();
}

function frame(channel: number, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(data.length + 1);
  out[0] = channel;
  data.copy(out, 1);
  return out;
}

function runExec(ws: WebSocket, opts: UpgradeExecOptions, socket: Duplex): void {
  const protocol = ws.protocol;
  let finished = false;
  let proc: ExecProcess;
  try {
    proc = opts.start();
  } catch (err) {
    sendStatusAndClose(ws, protocol, execStatus(opts.command, { exitCode: null, startError: String((err as Error).message ?? err) }));
    return;
  }

  ws.on('error', () => {
    // A broken connection is handled by 'close'.
  });
  proc.stdin?.on('error', () => {
    // The command may exit without reading its input.
  });
  ws.on('close', () => {
    if (finished) return;
    // The client went away (or, under v4 and older, ended its stdin by closing): nobody can read the result.
    proc.stdin?.end();
    proc.kill();
  });

  // Like the kubelet (and the API server's stream translator): an empty frame on
  // the lowest stream the client asked for says the connection is established.
  ws.send(Buffer.from([opts.stdout ? STDOUT : opts.stderr ? STDERR : STATUS]), { binary: true });

  if (opts.fault === 'stall') {
    // Keep the pipes drained so the command is not blocked, but never answer.
    proc.stdout.resume();
    proc.stderr.resume();
    return;
  }

  let inFlight = 0;
  const paused = new Set<Readable>();
  const onSent = (size: number) => () => {
    inFlight -= size;
    if (inFlight <= LOW_WATER) {
      for (const stream of paused) stream.resume();
      paused.clear();
    }
  };
  const forward = (stream: Readable, channel: number, wanted: boolean) =>
    new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('error', () => resolve());
      stream.once('close', () => resolve());
      if (!wanted) {
        stream.resume();
        return;
      }
      stream.on('data', (chunk: Buffer) => {
        if (ws.readyState !== ws.OPEN) return;
        inFlight += chunk.length + 1;
        sendChannelData(socket, channel, chunk, onSent(chunk.length + 1));
        if (inFlight > HIGH_WATER) {
          stream.pause();
          paused.add(stream);
        }
      });
    });

  // Without a terminal, stderr stays its own stream; with one, a kubelet merges it into stdout.
  const outputs = Promise.all([
    forward(proc.stdout, STDOUT, opts.stdout),
    forward(proc.stderr, opts.tty ? STDOUT : STDERR, opts.tty ? opts.stdout : opts.stderr),
  ]);

  if (opts.fault === 'drop') {
    // Cut the TCP connection mid-stream, as a broken node or proxy would: after
    // the first output, after a moment, or at the latest instead of the status.
    const drop = () => {
      if (finished) return;
      finished = true;
      proc.kill();
      ws.terminate();
    };
    proc.stdout.once('data', () => setImmediate(drop));
    proc.stderr.once('data', () => setImmediate(drop));
    setTimeout(drop, 200).unref();
    Promise.all([proc.done, outputs]).then(drop);
    return wireStdin(ws, opts, proc);
  }

  wireStdin(ws, opts, proc);

  Promise.all([proc.done, outputs]).then(([result]) => {
    if (finished) return;
    finished = true;
    sendStatusAndClose(ws, protocol, execStatus(opts.command, result));
  });
}

function wireStdin(ws: WebSocket, opts: UpgradeExecOptions, proc: ExecProcess): void {
  const protocol = ws.protocol;
  const stdin = proc.stdin;
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const channel = data[0];
    if (channel === STDIN) {
      if (!opts.stdin || !stdin || stdin.writableEnded) return;
      if (!stdin.write(data.subarray(1))) {
        ws.pause();
        stdin.once('drain', () => ws.resume());
      }
    } else if (channel === CLOSE && protocol === 'v5.channel.k8s.io' && data[1] === STDIN) {
      stdin?.end();
    }
    // Channel 4 (resize) means nothing without a terminal.
  });
}

function sendStatusAndClose(ws: WebSocket, protocol: string, status: Record<string, unknown>): void {
  if (ws.readyState !== ws.OPEN) return;
  if (protocol === 'v5.channel.k8s.io' || protocol === 'v4.channel.k8s.io') {
    ws.send(frame(STATUS, Buffer.from(JSON.stringify(status))), { binary: true });
  } else if (status.status !== 'Success') {
    // Before v4 the error channel carried only a message, and nothing on success.
    ws.send(frame(STATUS, Buffer.from(String(status.message))), { binary: true });
  }
  ws.close(1000);
}
