// Subresources other than exec: pod logs, the scale of a Deployment, and status.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJson, sendJson, truthy, type ApiServerDeps, type Route } from './http';
import { afterWrite } from './crud';
import { criTimestamp, type LogLine } from './logs';
import { prepareUpdate } from './objects';
import { applyPatch, patchTypeOf } from './patch';
import { findType } from './resources';
import { ApiError, badRequest, conflict, methodNotAllowed, notFound } from './status';
import type { K8sObject } from './store';

export async function serveSubresource(
  d: ApiServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  r: Route,
  verb: string,
): Promise<void> {
  const { store } = d;
  const t = r.type;
  const obj = store.get(t.resource, r.namespace, r.name!);
  if (!obj) throw notFound(t.resource, t.group, r.name!);
  const sub = r.subresource!;
  if (t.resource === 'pods' && sub === 'log' && verb === 'get') return podLog(d, res, url.searchParams, obj);
  if (t.resource === 'pods' && sub === 'exec') throw badRequest('Upgrade request required');
  if (t.resource === 'deployments' && sub === 'scale') return scale(d, req, res, obj, verb);
  if (sub === 'status' && (t.resource === 'pods' || t.resource === 'deployments')) {
    if (verb === 'get') return sendJson(res, 200, obj);
    if (verb === 'update' || verb === 'patch') {
      const body = await readJson(req);
      const next = verb === 'update' ? body : applyPatch(patchTypeOf(req.headers['content-type']), JSON.parse(JSON.stringify(obj)), body);
      const updated = prepareUpdate(t, obj, next, 'status');
      store.update(t.resource, updated);
      return sendJson(res, 200, updated);
    }
  }
  throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

export async function scale(d: ApiServerDeps, req: IncomingMessage, res: ServerResponse, dep: K8sObject, verb: string): Promise<void> {
  const toScale = (d: K8sObject) => ({
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: d.metadata.name,
      namespace: d.metadata.namespace,
      uid: d.metadata.uid,
      resourceVersion: d.metadata.resourceVersion,
      creationTimestamp: d.metadata.creationTimestamp,
    },
    spec: { replicas: d.spec.replicas ?? 1 },
    status: {
      replicas: d.status?.replicas ?? 0,
      selector: Object.entries(d.spec.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  });
  if (verb === 'get') return sendJson(res, 200, toScale(dep));
  if (verb !== 'update' && verb !== 'patch') throw methodNotAllowed();
  const body = await readJson(req);
  const current = toScale(dep);
  const next = verb === 'update' ? body : applyPatch(patchTypeOf(req.headers['content-type']), structuredClone(current), body);
  if (next?.metadata?.resourceVersion && next.metadata.resourceVersion !== dep.metadata.resourceVersion)
    throw conflict('deployments', 'apps', dep.metadata.name);
  const replicas = next?.spec?.replicas;
  if (!Number.isInteger(replicas) || replicas < 0)
    throw new ApiError(
      422,
      'Invalid',
      `Scale.autoscaling "${dep.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
    );
  if (replicas !== dep.spec.replicas) {
    const t = findType('apps', 'v1', 'deployments')!;
    const updated = prepareUpdate(t, dep, { ...dep, spec: { ...dep.spec, replicas } }, undefined);
    d.store.update('deployments', updated);
    afterWrite(d, t, updated, 'update');
    return sendJson(res, 200, toScale(updated));
  }
  return sendJson(res, 200, current);
}

export function podLog(d: ApiServerDeps, res: ServerResponse, q: URLSearchParams, pod: K8sObject): void {
  const name = pod.metadata.name;
  const containers: string[] = (pod.spec.containers ?? []).map((c: K8sObject) => c.name);
  let container = q.get('container');
  if (!container) {
    if (containers.length !== 1)
      throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
    container = containers[0];
  }
  if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  const cs = (pod.status?.containerStatuses ?? []).find((c: K8sObject) => c.name === container);
  const log = d.controller.logFor(pod.metadata.namespace, name, container);
  const previous = truthy(q.get('previous'));
  let lines: LogLine[];
  if (previous) {
    if (!log?.previous) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    lines = log.previous;
  } else {
    if (!cs || (cs.state?.waiting && !cs.lastState?.terminated && (log?.lines.length ?? 0) === 0))
      throw badRequest(
        `container "${container}" in pod "${name}" is waiting to start: ${cs?.state?.waiting?.reason ?? 'ContainerCreating'}`,
      );
    lines = log?.lines ?? [];
  }
  const sinceSeconds = Number(q.get('sinceSeconds') ?? 0);
  const sinceTime = q.get('sinceTime');
  const since = sinceSeconds > 0 ? Date.now() - sinceSeconds * 1000 : sinceTime ? Date.parse(sinceTime) : 0;
  if (since) lines = lines.filter((l) => l.at >= since);
  const tail = q.get('tailLines');
  if (tail !== null && Number(tail) >= 0) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));
  const timestamps = truthy(q.get('timestamps'));
  const fmt = (l: LogLine) => (timestamps ? `${criTimestamp(l)} ${l.text}\n` : `${l.text}\n`);
  let limitBytes = Number(q.get('limitBytes') ?? 0) || Infinity;
  const emit = (text: string): boolean => {
    if (limitBytes <= 0) return false;
    const buf = Buffer.from(text, 'utf8');
    const part = buf.length > limitBytes ? buf.subarray(0, limitBytes) : buf;
    limitBytes -= part.length;
    res.write(part);
    return limitBytes > 0;
  };
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  let open = true;
  for (const l of lines) if (!(open = emit(fmt(l)))) break;
  if (!truthy(q.get('follow')) || previous || !log || log.closed || !open) {
    res.end();
    return;
  }
  res.flushHeaders();
  const stop = log.follow((l) => {
    if (!l || !emit(fmt(l))) {
      stop();
      res.end();
    }
  });
  res.on('close', stop);
}
