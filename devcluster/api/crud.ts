// Create, read, update, delete and list of stored objects, and the self access reviews.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listKind, readJson, sendJson, tableVersion, type ApiServerDeps, type Route } from './http';
import { prepareCreate, prepareUpdate } from './objects';
import { applyPatch, patchTypeOf } from './patch';
import type { UserInfo } from './rbac';
import { apiVersionOf, type ResourceType } from './resources';
import { selected } from './routing';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { ApiError, alreadyExists, badRequest, conflict, methodNotAllowed, notFound, successStatus } from './status';
import type { K8sObject } from './store';
import { serveSubresource } from './subresources';
import { toTable, wantsTable } from './table';
import { watch } from './watch';

export async function serve(
  d: ApiServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  r: Route,
  verb: string,
  user: UserInfo,
): Promise<void> {
  const { store } = d;
  const q = url.searchParams;
  const t = r.type;
  if (t.resource === 'selfsubjectaccessreviews') {
    if (verb !== 'create') throw methodNotAllowed();
    return sendJson(res, 201, accessReview(d, user, await readJson(req)));
  }
  if (t.resource === 'selfsubjectrulesreviews') {
    if (verb !== 'create') throw methodNotAllowed();
    const body = (await readJson(req)) ?? {};
    const ns = body.spec?.namespace ?? '';
    return sendJson(res, 201, {
      kind: 'SelfSubjectRulesReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: body.spec ?? {},
      status: { ...d.rbac.rulesFor(user, ns), incomplete: false },
    });
  }
  if (r.namespace && t.resource !== 'namespaces' && verb === 'create' && !store.get('namespaces', undefined, r.namespace))
    throw notFound('namespaces', '', r.namespace);
  if (r.subresource) return serveSubresource(d, req, res, url, r, verb);
  if (!t.verbs.includes(verb)) throw methodNotAllowed();
  switch (verb) {
    case 'get': {
      const obj = store.get(t.resource, r.namespace, r.name!);
      if (!obj) throw notFound(t.resource, t.group, r.name!);
      if (wantsTable(req.headers.accept))
        return sendJson(res, 200, toTable(t.resource, [obj], {}, q.get('includeObject'), tableVersion(req.headers.accept)));
      return sendJson(res, 200, obj);
    }
    case 'list':
      return list(d, req, res, q, r);
    case 'watch':
      return watch(d, req, res, q, r);
    case 'create': {
      const body = await readJson(req);
      const obj = prepareCreate(t, body ?? {}, r.namespace);
      if (store.get(t.resource, obj.metadata.namespace, obj.metadata.name)) throw alreadyExists(t.resource, t.group, obj.metadata.name);
      if (q.get('dryRun') === 'All') return sendJson(res, 201, obj);
      store.create(t.resource, obj);
      afterWrite(d, t, obj, 'create');
      return sendJson(res, 201, obj);
    }
    case 'update':
    case 'patch': {
      const current = store.get(t.resource, r.namespace, r.name!);
      if (!current) throw notFound(t.resource, t.group, r.name!);
      const body = await readJson(req);
      const next =
        verb === 'update' ? body : applyPatch(patchTypeOf(req.headers['content-type']), JSON.parse(JSON.stringify(current)), body);
      const wantedRv = next?.metadata?.resourceVersion;
      if (wantedRv && wantedRv !== current.metadata.resourceVersion) throw conflict(t.resource, t.group, r.name!);
      const updated = prepareUpdate(t, current, next, undefined);
      if (q.get('dryRun') === 'All') return sendJson(res, 200, updated);
      const changed =
        JSON.stringify({ ...updated, metadata: { ...updated.metadata, resourceVersion: '' } }) !==
        JSON.stringify({ ...current, metadata: { ...current.metadata, resourceVersion: '' } });
      if (changed) {
        store.update(t.resource, updated);
        afterWrite(d, t, updated, 'update');
      }
      return sendJson(res, 200, changed ? updated : current);
    }
    case 'delete':
      return sendJson(res, 200, await deleteObject(d, req, q, r));
    case 'deletecollection': {
      const sel = parseLabelSelector(q.get('labelSelector'));
      const fsel = parseFieldSelector(q.get('fieldSelector'), t.kind);
      const victims = store.list(t.resource, r.namespace).filter((o) => sel(o.metadata.labels) && fsel(o));
      for (const v of victims) await deleteObject(d, req, q, { ...r, namespace: v.metadata.namespace, name: v.metadata.name }, false);
      return sendJson(res, 200, {
        kind: listKind(t),
        apiVersion: apiVersionOf(t),
        metadata: { resourceVersion: String(store.currentVersion()) },
        items: victims,
      });
    }
    default:
      throw methodNotAllowed();
  }
}

export function afterWrite(d: ApiServerDeps, t: ResourceType, obj: K8sObject, op: 'create' | 'update'): void {
  if (t.resource === 'deployments') d.controller.deploymentChanged(obj.metadata.namespace, obj.metadata.name);
  if (t.resource === 'pods' && op === 'create') d.controller.podCreated(obj);
}

export async function deleteObject(
  d: ApiServerDeps,
  req: IncomingMessage,
  q: URLSearchParams,
  r: Route,
  readOptions = true,
): Promise<unknown> {
  const { store, controller } = d;
  const t = r.type;
  const opts = readOptions ? ((await readJson(req).catch(() => undefined)) ?? {}) : {};
  const obj = store.get(t.resource, r.namespace, r.name!);
  if (!obj) throw notFound(t.resource, t.group, r.name!);
  const pre = opts.preconditions ?? {};
  if ((pre.uid && pre.uid !== obj.metadata.uid) || (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion))
    throw conflict(t.resource, t.group, r.name!);
  if (q.get('dryRun') === 'All') return obj;
  const graceQ = q.get('gracePeriodSeconds');
  const grace = graceQ !== null ? Number(graceQ) : opts.gracePeriodSeconds;
  if (t.resource === 'pods') return controller.deletePod(r.namespace!, r.name!, grace);
  if (t.resource === 'namespaces') {
    for (const type of ['deployments', 'replicasets', 'pods', 'secrets', 'configmaps', 'persistentvolumeclaims', 'events']) {
      for (const o of store.list(type, r.name)) {
        if (type === 'pods') controller.deletePod(r.name!, o.metadata.name, 0);
        else {
          store.remove(type, r.name, o.metadata.name);
          if (type === 'deployments') controller.deploymentDeleted(r.name!, o.metadata.name);
        }
      }
    }
  }
  store.remove(t.resource, r.namespace, r.name!);
  if (t.resource === 'deployments') controller.deploymentDeleted(r.namespace!, r.name!);
  return successStatus({ name: r.name, group: t.group || undefined, kind: t.resource, uid: obj.metadata.uid } as never);
}

export function list(d: ApiServerDeps, req: IncomingMessage, res: ServerResponse, q: URLSearchParams, r: Route): void {
  const t = r.type;
  const filter = selected(q, r);
  let items = d.store.list(t.resource, r.namespace).filter(filter);
  items.sort(
    (a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name),
  );
  const meta: Record<string, unknown> = { resourceVersion: String(d.store.currentVersion()) };
  const limit = Number(q.get('limit') ?? 0);
  const cont = q.get('continue');
  let offset = 0;
  if (cont) {
    try {
      const c = JSON.parse(Buffer.from(cont, 'base64').toString('utf8'));
      offset = Number(c.offset) || 0;
    } catch {
      throw badRequest('continue key is not valid: illegal base64 data');
    }
  }
  if (offset > 0) items = items.slice(offset);
  if (limit > 0 && items.length > limit) {
    meta.continue = Buffer.from(JSON.stringify({ offset: offset + limit })).toString('base64');
    meta.remainingItemCount = items.length - limit;
    items = items.slice(0, limit);
  }
  if (wantsTable(req.headers.accept))
    return sendJson(res, 200, toTable(t.resource, items, meta, q.get('includeObject'), tableVersion(req.headers.accept)));
  // Serialized by hand so the live objects are not copied into a list object first.
  const head = `{"kind":"${listKind(t)}","apiVersion":"${apiVersionOf(t)}","metadata":${JSON.stringify(meta)},"items":[`;
  sendJson(res, 200, head + items.map((o) => JSON.stringify(o)).join(',') + ']}');
}

export function accessReview(d: ApiServerDeps, user: UserInfo, body: any): unknown {
  const spec = body?.spec ?? {};
  let allowed = false;
  if (spec.resourceAttributes) {
    const ra = spec.resourceAttributes;
    allowed = d.rbac.allows(user, {
      verb: ra.verb ?? '',
      group: ra.group ?? '',
      resource: ra.resource ?? '',
      subresource: ra.subresource || undefined,
      namespace: ra.namespace || undefined,
      name: ra.name || undefined,
    });
  } else if (spec.nonResourceAttributes) {
    allowed = d.rbac.allowsNonResource(user, spec.nonResourceAttributes.path ?? '', spec.nonResourceAttributes.verb ?? '');
  } else {
    throw new ApiError(
      422,
      'Invalid',
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  }
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status: allowed ? { allowed: true, reason: `RBAC: allowed by devcluster policy for User "${user.name}"` } : { allowed: false },
  };
}
