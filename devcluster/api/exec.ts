// The exec upgrade: checks as kube-apiserver makes them, then a WebSocket to the pod's process.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Transform } from 'node:stream';
import { upgradeExec } from '../exec/ws-exec';
import type { ExecProcess } from '../runtime/types';
import { mainContainer } from './controller';
import { internal, rawError, sleep, truthy, type ApiServerDeps } from './http';
import { authenticate, authorize, impersonate } from './identity';
import type { ExecRecord } from './knobs';
import { ApiError, badRequest, notFound } from './status';
import type { K8sObject } from './store';

export async function handleUpgrade(d: ApiServerDeps, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on('error', () => undefined);
  try {
    const url = new URL(req.url ?? '/', 'https://devcluster');
    const caller = authenticate(d, req);
    d.knobs.requests++;
    const user = impersonate(d, req, caller);
    if (d.knobs.latencyMs > 0) await sleep(d.knobs.latencyMs);
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\/?$/.exec(url.pathname);
    if (!m) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
    const [, namespace, name] = m.map(decodeURIComponent);
    const verb = req.method === 'POST' ? 'create' : 'get';
    d.knobs.countRequest(verb, { resource: 'pods', subresource: 'exec', namespace, name });
    authorize(d, user, { verb, group: '', resource: 'pods', subresource: 'exec', namespace, name });
    const fault = d.knobs.takeFault(`${url.pathname}${url.search}`, verb, req.method ?? 'GET');
    if (fault === 500) throw new ApiError(500, 'InternalError', 'Internal error occurred: injected fault');
    if (fault === 429) throw new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
    if (fault === 'timeout') return void setTimeout(() => socket.destroy(), 120_000).unref();
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket')
      throw badRequest('Upgrade request required: only WebSocket (v5.channel.k8s.io) exec is supported by this server');

    const pod = d.store.get('pods', namespace, name);
    if (!pod) throw notFound('pods', '', name);
    const q = url.searchParams;
    const command = q.getAll('command');
    if (command.length === 0) throw badRequest('you must specify at least 1 command');
    const containers: string[] = (pod.spec.containers ?? []).map((c: K8sObject) => c.name);
    const container = q.get('container') || (containers.length === 1 ? containers[0] : mainContainer(pod)?.name);
    if (!container || !containers.includes(container)) throw badRequest(`container ${q.get('container')} is not valid for pod ${name}`);
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')
      throw badRequest(`cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`);
    if (pod.status?.phase !== 'Running') throw badRequest(`unable to upgrade connection: pod ${name} is not running`);
    const handle = d.controller.handleFor(namespace, name);
    const cs = (pod.status.containerStatuses ?? []).find((c: K8sObject) => c.name === container);
    // Crash-looping pods never get a sandbox, so exec into them is always refused.
    if (!handle || !cs?.state?.running || container !== handle.spec.containerName)
      throw badRequest(`unable to upgrade connection: container not found ("${container}")`);

    d.knobs.execs++;
    if (d.knobs.execLatencyMs > 0) await sleep(d.knobs.execLatencyMs);
    const stdin = truthy(q.get('stdin'));
    const record: ExecRecord | null = d.recorder.on ? { namespace, pod: name, command, stdout: [], stderr: [] } : null;
    if (record) d.recorder.records.push(record);
    upgradeExec(req, socket, head, {
      command,
      stdin,
      stdout: truthy(q.get('stdout')),
      stderr: truthy(q.get('stderr')),
      tty: truthy(q.get('tty')),
      fault: d.knobs.takeExecFault(),
      start: (): ExecProcess => {
        const proc = handle.exec(command, { stdin });
        if (!record) return proc;
        return {
          ...proc,
          stdout: proc.stdout.pipe(tee(record.stdout)),
          stderr: proc.stderr.pipe(tee(record.stderr)),
          done: proc.done,
          kill: () => proc.kill(),
        };
      },
    });
  } catch (err) {
    rawError(socket, err instanceof ApiError ? err : internal(d, err));
  }
}

/** Passes bytes through unchanged while keeping a copy. */
function tee(sink: Buffer[]): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sink.push(Buffer.from(chunk));
      cb(null, chunk);
    },
  });
}
