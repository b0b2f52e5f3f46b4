// The /_devcluster/ control endpoints tests and benchmarks use: counters, knobs, crash loops,
// exec recording, the RBAC policy and etcd-like compaction of the watch history.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJson, sendJson, type ApiServerDeps } from './http';
import { defaultPolicy, policyFromJson, type UserInfo } from './rbac';
import { ApiError, badRequest, notFound } from './status';

export async function control(d: ApiServerDeps, req: IncomingMessage, res: ServerResponse, url: URL, caller: UserInfo): Promise<void> {
  if (!caller.groups.includes('system:masters') || req.headers['impersonate-user'])
    throw new ApiError(403, 'Forbidden', `forbidden: User "${caller.name}" cannot use the devcluster control endpoints`);
  const what = url.pathname.slice('/_devcluster/'.length).replace(/\/$/, '');
  const { knobs } = d;
  const method = req.method ?? 'GET';
  if (what === 'stats' && method === 'GET') return sendJson(res, 200, knobs.stats());
  if (what === 'stats/reset' && method === 'POST') {
    knobs.resetStats();
    return sendJson(res, 200, knobs.stats());
  }
  if (what === 'compact' && method === 'POST')
    return sendJson(res, 200, { compactedResourceVersion: String(d.store.compact(!!((await readJson(req)) ?? {}).closeWatches)) });
  if (what === 'knobs' && method === 'GET') return sendJson(res, 200, knobs.describe());
  if (what === 'knobs' && method === 'POST') {
    try {
      knobs.update((await readJson(req)) ?? {});
    } catch (err) {
      throw err instanceof ApiError ? err : badRequest(String((err as Error).message));
    }
    return sendJson(res, 200, knobs.describe());
  }
  if (what === 'crashloop' && method === 'POST') {
    const body = (await readJson(req)) ?? {};
    if (!body.namespace || !body.deployment) throw badRequest('namespace and deployment are required');
    if (!d.store.get('deployments', body.namespace, body.deployment)) throw notFound('deployments', 'apps', body.deployment);
    d.controller.setCrashLoop(body.namespace, body.deployment, !!body.on);
    return sendJson(res, 200, { namespace: body.namespace, deployment: body.deployment, on: !!body.on });
  }
  if (what === 'exec-recording' && method === 'POST') {
    d.recorder.set(!!((await readJson(req)) ?? {}).on);
    return sendJson(res, 200, { on: d.recorder.on });
  }
  if (what === 'exec-recording' && method === 'GET') return sendJson(res, 200, d.recorder.toJson());
  if (what === 'rbac' && method === 'GET') return sendJson(res, 200, d.rbac.current());
  // PUT replaces the whole policy; POST adds bindings to it; DELETE restores the default.
  if (what === 'rbac' && method === 'PUT') {
    d.rbac.replace(policyFromJson(await readJson(req)));
    return sendJson(res, 200, d.rbac.current());
  }
  if (what === 'rbac' && method === 'POST') {
    const added = policyFromJson(await readJson(req));
    d.rbac.replace({ bindings: [...d.rbac.current().bindings, ...added.bindings] });
    return sendJson(res, 200, d.rbac.current());
  }
  if (what === 'rbac' && method === 'DELETE') {
    d.rbac.replace(defaultPolicy());
    return sendJson(res, 200, d.rbac.current());
  }
  throw new ApiError(404, 'NotFound', `no control endpoint ${method} /_devcluster/${what}`);
}
