import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createPodRuntime } from '../runtime/index';
import type { PodHandle, PodRuntime } from '../runtime/types';
import { upgradeExec } from './ws-exec';

let server: Server;
let baseUrl: string;
let runtime: PodRuntime;
let pod: PodHandle;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ws-exec-test-'));
  runtime = await createPodRuntime({ tmpDir: dir, issuerUrl: 'http://127.0.0.1:9' });
  const volumeDir = path.join(dir, 'vol');
  await (await import('node:fs/promises')).mkdir(volumeDir);
  pod = await runtime.start({ namespace: 'ns', name: 'pod-a', volumeDir, homeDir: '/home/node', containerName: 'openab', env: {} });
  server = createServer((_req, res) => res.end('not an upgrade'));
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const command = url.searchParams.getAll('command');
    const flag = (name: string) => url.searchParams.get(name) === 'true';
    const fault = (url.searchParams.get('fault') ?? undefined) as 'drop' | 'stall' | undefined;
    upgradeExec(req, socket, head, {
      command,
      stdin: flag('stdin'),
      stdout: flag('stdout'),
      stderr: flag('stderr'),
      tty: false,
      fault,
      start: () => pod.exec(command, { stdin: flag('stdin') }),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  baseUrl = `ws://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await runtime.shutdown();
  await rm(dir, { recursive: true, force: true });
});

interface Session {
  ws: WebSocket;
  frames: Array<{ channel: number; data: Buffer; at: number }>;
  closed: Promise<{ code: number }>;
}

function open(
  command: string[],
  opts: { stdin?: boolean; stdout?: boolean; stderr?: boolean; protocols?: string[]; fault?: string } = {},
): Promise<Session> {
  const query = new URLSearchParams();
  for (const part of command) query.append('command', part);
  query.set('stdin', String(opts.stdin ?? false));
  query.set('stdout', String(opts.stdout ?? true));
  query.set('stderr', String(opts.stderr ?? true));
  if (opts.fault) query.set('fault', opts.fault);
  const ws = new WebSocket(`${baseUrl}/exec?${query}`, opts.protocols ?? ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
  const frames: Session['frames'] = [];
  ws.on('message', (data: Buffer, isBinary) => {
    // A text frame shows up as channel -1 and fails the frame assertions.
    frames.push({ channel: isBinary ? data[0] : -1, data: data.subarray(1), at: Date.now() });
  });
  const closed = new Promise<{ code: number }>((resolve) => ws.on('close', (code) => resolve({ code })));
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.on('error', () => {
        // Dropped connections are asserted through 'close'.
      });
      resolve({ ws, frames, closed });
    });
    ws.once('error', reject);
  });
}

function channelData(session: Session, channel: number): Buffer {
  return Buffer.concat(session.frames.filter((f) => f.channel === channel).map((f) => f.data));
}

function status(session: Session): any {
  expect(session.frames.filter((f) => f.channel === -1)).toHaveLength(0);
  const frames = session.frames.filter((f) => f.channel === 3 && f.data.length > 0);
  expect(frames).toHaveLength(1);
  return JSON.parse(frames[0].data.toString('utf8'));
}

describe('exec over WebSocket', () => {
  it('prefers v5 and reports Success with stdout and stderr on their channels', async () => {
    const s = await open(['sh', '-c', 'echo out; echo err >&2'], {
      protocols: ['channel.k8s.io', 'v4.channel.k8s.io', 'v5.channel.k8s.io'],
    });
    expect(s.ws.protocol).toBe('v5.channel.k8s.io');
    expect((await s.closed).code).toBe(1000);
    expect(channelData(s, 1).toString()).toBe('out\n');
    expect(channelData(s, 2).toString()).toBe('err\n');
    expect(status(s)).toEqual({ metadata: {}, status: 'Success' });
    expect(s.frames.at(-1)?.channel).toBe(3);
  });

  it('reports a non-zero exit code like a kubelet', async () => {
    const s = await open(['sh', '-c', 'exit 3']);
    await s.closed;
    expect(status(s)).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  it('reports a missing binary as InternalError', async () => {
    const s = await open(['no-such-binary-here', 'x']);
    await s.closed;
    const st = status(s);
    expect(st.status).toBe('Failure');
    expect(st.reason).toBe('InternalError');
    expect(st.message).toContain('exec: "no-such-binary-here": executable file not found in $PATH: unknown');
    expect(st.code).toBe(500);
  });

  it('sends no frames for streams the client did not ask for', async () => {
    const s = await open(['sh', '-c', 'echo out; echo err >&2'], { stdout: false, stderr: true });
    await s.closed;
    expect([...new Set(s.frames.map((f) => f.channel))].sort()).toEqual([2, 3]);
  });

  it('opens with an empty frame on the lowest requested stream, as the kubelet does', async () => {
    const s = await open(['true'], { stdout: false, stderr: false });
    await s.closed;
    expect(s.frames[0]).toMatchObject({ channel: 3 });
    expect(s.frames[0].data.length).toBe(0);
    expect(JSON.parse(s.frames[1].data.toString())).toEqual({ metadata: {}, status: 'Success' });
    const t = await open(['true']);
    await t.closed;
    expect(t.frames[0].channel).toBe(1);
    expect(t.frames[0].data.length).toBe(0);
  });

  it('v5: stdin flows in and the close frame ends it', async () => {
    const s = await open(['cat'], { stdin: true, stderr: false });
    s.ws.send(Buffer.from([0, ...Buffer.from('hello ')]));
    s.ws.send(Buffer.from([0, ...Buffer.from('world')]));
    s.ws.send(Buffer.from([255, 0]));
    await s.closed;
    expect(channelData(s, 1).toString()).toBe('hello world');
    expect(status(s).status).toBe('Success');
  });

  it('v4: no close channel; status is JSON; closing the socket kills the command', async () => {
    const s = await open(['sh', '-c', 'read line; echo "got $line"; exit 4'], { stdin: true, protocols: ['v4.channel.k8s.io'] });
    expect(s.ws.protocol).toBe('v4.channel.k8s.io');
    s.ws.send(Buffer.from([0, ...Buffer.from('abc\n')]));
    await s.closed;
    expect(channelData(s, 1).toString()).toBe('got abc\n');
    expect(status(s).details.causes[0].message).toBe('4');

    const marker = path.join(dir, 'vol', 'v4-killed');
    const t = await open(['sh', '-c', 'sleep 1; touch v4-killed'], { stdin: true, protocols: ['v4.channel.k8s.io'] });
    t.ws.close();
    await t.closed;
    await new Promise((r) => setTimeout(r, 1500));
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses a client offering only other subprotocols with 400', async () => {
    const ws = new WebSocket(`${baseUrl}/exec?command=true`, ['base64.channel.k8s.io']);
    const code = await new Promise<number>((resolve) => {
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => resolve(-1));
    });
    expect(code).toBe(400);
  });

  it('treats a client naming no subprotocol as channel.k8s.io: error text only on failure', async () => {
    const ok = await open(['sh', '-c', 'echo hi'], { protocols: [] });
    expect(ok.ws.protocol).toBe('');
    await ok.closed;
    expect(channelData(ok, 1).toString()).toBe('hi\n');
    expect(ok.frames.filter((f) => f.channel === 3 && f.data.length > 0)).toHaveLength(0);
    const failed = await open(['sh', '-c', 'exit 2'], { protocols: [] });
    await failed.closed;
    expect(channelData(failed, 3).toString()).toBe(
      'command terminated with non-zero exit code: error executing command [sh -c exit 2], exit code 2',
    );
  });

  it('streams output incrementally', async () => {
    const s = await open(['sh', '-c', 'echo first; sleep 0.6; echo second']);
    await s.closed;
    const out = s.frames.filter((f) => f.channel === 1);
    expect(out.length).toBeGreaterThanOrEqual(2);
    expect(out.at(-1)!.at - out[0].at).toBeGreaterThanOrEqual(400);
  });

  it('carries 20 MB of binary stdout byte-exact', async () => {
    const file = path.join(dir, 'vol', 'big.bin');
    const { randomBytes } = await import('node:crypto');
    const { writeFile } = await import('node:fs/promises');
    const content = randomBytes(20 * 1024 * 1024);
    await writeFile(file, content);
    const s = await open(['cat', 'big.bin'], { stderr: false });
    await s.closed;
    const got = channelData(s, 1);
    expect(got.length).toBe(content.length);
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
    expect(status(s).status).toBe('Success');
  });

  it('fault drop: the connection ends without a status', async () => {
    const s = await open(['sh', '-c', 'echo a; sleep 5; echo b'], { fault: 'drop' });
    const quick = await open(['true'], { fault: 'drop' });
    expect((await quick.closed).code).toBe(1006);
    expect(quick.frames.filter((f) => f.channel === 3)).toHaveLength(0);
    const { code } = await s.closed;
    expect(code).toBe(1006);
    expect(s.frames.filter((f) => f.channel === 3)).toHaveLength(0);
  });

  it('fault stall: no output and no status until the client gives up', async () => {
    const s = await open(['sh', '-c', 'echo a'], { fault: 'stall' });
    await new Promise((r) => setTimeout(r, 500));
    expect(s.frames.filter((f) => f.data.length > 0)).toHaveLength(0);
    expect(s.ws.readyState).toBe(WebSocket.OPEN);
    s.ws.close();
    await s.closed;
  });
});

describe('exec with the real @kubernetes/client-node', () => {
  async function clientExec(command: string[], input?: string) {
    const k8s = await import('@kubernetes/client-node');
    const { PassThrough, Readable } = await import('node:stream');
    const kc = new k8s.KubeConfig();
    const server = baseUrl.replace('ws://', 'http://');
    kc.loadFromOptions({
      clusters: [{ name: 'c', server, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'x' }],
      contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
      currentContext: 'ctx',
    });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d) => (out += d));
    stderr.on('data', (d) => (err += d));
    const stdin = input === undefined ? null : Readable.from([Buffer.from(input)]);
    const status = await new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no status')), 15_000);
      new k8s.Exec(kc)
        .exec('ns', 'pod-a', 'openab', command, stdout, stderr, stdin, false, (s) => {
          clearTimeout(timer);
          resolve(s);
        })
        .catch(reject);
    });
    return { status, out, err };
  }

  it('gets output and a Success status', async () => {
    const r = await clientExec(['sh', '-c', 'echo out; echo err >&2']);
    expect(r.status).toEqual({ metadata: {}, status: 'Success' });
    expect(r.out).toBe('out\n');
    expect(r.err).toBe('err\n');
  });

  it('gets the exit code of a failing command', async () => {
    const r = await clientExec(['sh', '-c', 'exit 7']);
    expect(r.status.reason).toBe('NonZeroExitCode');
    expect(r.status.details.causes).toEqual([{ reason: 'ExitCode', message: '7' }]);
  });

  it('sends stdin and ends it with the v5 close frame', async () => {
    const r = await clientExec(['sh', '-c', 'wc -c'], 'twelve bytes');
    expect(r.out.trim()).toBe('12');
    expect(r.status.status).toBe('Success');
  });
});
