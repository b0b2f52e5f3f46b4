// The HTTP side of the API server: authentication, impersonation, RBAC, knobs,
// routing to resources, watch streams, pod logs and the exec upgrade.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { Transform } from 'node:stream';
import { upgradeExec } from '../exec/ws-exec';
import type { ExecProcess } from '../runtime/types';
import { ClusterController, mainContainer } from './controller';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, SERVER_VERSION } from './discovery';
import { ExecRecorder, Knobs, type ExecRecord } from './knobs';
import { criTimestamp, type LogLine } from './logs';
import { prepareCreate, prepareUpdate } from './objects';
import { applyPatch, patchTypeOf } from './patch';
import { decodeProtobufObject } from './protobuf';
import { openApiV3Group, openApiV3Root } from './openapi';
import { defaultPolicy, forbiddenMessage, policyFromJson, RbacAuthorizer, type ResourceAttributes, type UserInfo } from './rbac';
import { apiVersionOf, findType, type ResourceType } from './resources';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { ApiError, alreadyExists, badRequest, conflict, methodNotAllowed, notFound, successStatus, unauthorized } from './status';
import type { K8sObject, ObjectStore } from './store';
import { toTable, wantsTable } from './table';

export interface ApiServerDeps {
  store: ObjectStore;
  controller: ClusterController;
  rbac: RbacAuthorizer;
  /** Bearer token -> identity. */
  tokens: Map<string, UserInfo>;
  knobs: Knobs;
  recorder: ExecRecorder;
  serverAddress: () => string;
  log: (message: string) => void;
}

interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const MAX_BODY = 16 << 20;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new ApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readJson(req: IncomingMessage): Promise<any> {
  const raw = await readBody(req);
  if (raw.length === 0) return undefined;
  if (/^application\/vnd\.kubernetes\.protobuf/i.test(req.headers['content-type'] ?? '')) return decodeProtobufObject(raw);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw badRequest(`error decoding request body: ${(err as Error).message}`);
  }
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

function sendError(res: ServerResponse, err: ApiError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err.headers) for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  sendJson(res, err.code, err.toStatus());
}

function rawError(socket: Duplex, err: ApiError): void {
  const body = JSON.stringify(err.toStatus());
  const text: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error' };
  socket.end(`HTTP/1.1 ${err.code} ${text[err.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

const truthy = (v: string | null) => v === 'true' || v === '1';

export class ApiServer {
  constructor(private readonly d: ApiServerDeps) {}

  // ---- identity -----------------------------------------------------------

  private authenticate(req: IncomingMessage): UserInfo {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    const user = m ? this.d.tokens.get(m[1]) : undefined;
    if (!user) throw unauthorized();
    return user;
  }

  /** Applies Impersonate-* headers after checking the `impersonate` verb, like the real filter. */
  private impersonate(req: IncomingMessage, user: UserInfo): UserInfo {
    const asUser = req.headers['impersonate-user'];
    const rawGroups = req.headersDistinct?.['impersonate-group'] ?? [];
    const groups = rawGroups.flatMap((g) => g.split(',').map((x) => x.trim())).filter(Boolean);
    if (!asUser && groups.length === 0) return user;
    if (!asUser) throw new ApiError(500, 'InternalError', 'Internal error occurred: requested [{Group  ' + groups.join(' ') + '}] without impersonating a user');
    const userName = String(asUser);
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(userName);
    const check = (resource: string, name: string, namespace?: string) => {
      const a: ResourceAttributes = { verb: 'impersonate', group: '', resource, name, namespace };
      if (!this.d.rbac.allows(user, a)) throw new ApiError(403, 'Forbidden', forbiddenMessage(user, a), { name, kind: resource });
    };
    if (sa) check('serviceaccounts', sa[2], sa[1]);
    else check('users', userName);
    for (const g of groups) check('groups', g);
    const finalGroups = [...groups];
    if (sa) finalGroups.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
    if (userName !== 'system:anonymous' && !finalGroups.includes('system:authenticated')) finalGroups.push('system:authenticated');
    return { name: userName, groups: finalGroups };
  }

  private authorize(user: UserInfo, a: ResourceAttributes): void {
    if (!this.d.rbac.allows(user, a)) throw new ApiError(403, 'Forbidden', forbiddenMessage(user, a), { name: a.name, group: a.group || undefined, kind: a.resource });
  }

  // ---- routing ------------------------------------------------------------

  private route(parts: string[]): Route | { discovery: unknown } | null {
    let group = '';
    let version: string;
    let rest: string[];
    if (parts[0] === 'api') {
      if (parts.length === 1) return { discovery: apiVersions(this.d.serverAddress()) };
      version = parts[1];
      rest = parts.slice(2);
    } else if (parts[0] === 'apis') {
      if (parts.length === 1) return { discovery: apiGroupList() };
      group = parts[1];
      if (parts.length === 2) {
        const g = apiGroup(group);
        return g ? { discovery: g } : null;
      }
      version = parts[2];
      rest = parts.slice(3);
    } else return null;
    if (rest.length === 0) {
      const list = apiResourceList(group, version);
      return list ? { discovery: list } : null;
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      const t = findType(group, version, rest[2]);
      if (t?.namespaced) {
        namespace = rest[1];
        rest = rest.slice(2);
      }
    }
    const type = findType(group, version, rest[0]);
    if (!type || rest.length > 3) return null;
    if (type.namespaced && !namespace && rest.length > 1) return null;
    return { type, namespace, name: rest[1], subresource: rest[2] };
  }

  /** OpenAPI v3 only (v2 answers 404, as on servers that dropped it). */
  private openApi(parts: string[]): { discovery: unknown } | null {
    if (parts[1] !== 'v3') return null;
    if (parts.length === 2) return { discovery: openApiV3Root() };
    const doc = openApiV3Group(parts.slice(2).join('/'));
    return doc ? { discovery: doc } : null;
  }

  private verbOf(method: string, route: Route, query: URLSearchParams): string {
    switch (method) {
      case 'GET':
      case 'HEAD':
        if (route.name) return 'get';
        return truthy(query.get('watch')) ? 'watch' : 'list';
      case 'POST':
        return 'create';
      case 'PUT':
        return 'update';
      case 'PATCH':
        return 'patch';
      case 'DELETE':
        return route.name ? 'delete' : 'deletecollection';
      default:
        throw methodNotAllowed();
    }
  }

  // ---- entry points -------------------------------------------------------

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://devcluster');
      const caller = this.authenticate(req);
      if (url.pathname.startsWith('/_devcluster/')) return await this.control(req, res, url, caller);
      this.d.knobs.requests++;
      const user = this.impersonate(req, caller);
      if (this.d.knobs.latencyMs > 0) await sleep(this.d.knobs.latencyMs);
      const parts = url.pathname.split('/').filter(Boolean);
      if (url.pathname === '/version' || url.pathname === '/version/') return sendJson(res, 200, SERVER_VERSION);
      if (/^(healthz|livez|readyz)$/.test(parts[0] ?? '')) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        return void res.end('ok');
      }
      const route = parts[0] === 'openapi' ? this.openApi(parts) : this.route(parts);
      if (!route || 'discovery' in route) {
        const verb = (req.method ?? 'GET').toLowerCase();
        if (!this.d.rbac.allowsNonResource(user, url.pathname, verb))
          throw new ApiError(403, 'Forbidden', `forbidden: User "${user.name}" cannot ${verb} path "${url.pathname}"`);
        if (await this.injectFault(req, res, url, verb)) return;
        if (!route) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', { causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }] });
        return sendJson(res, 200, route.discovery);
      }
      const verb = this.verbOf(req.method ?? 'GET', route, url.searchParams);
      const attrs: ResourceAttributes = { verb, group: route.type.group, resource: route.type.resource, subresource: route.subresource, namespace: route.namespace, name: route.name };
      this.d.knobs.countRequest(verb, attrs);
      this.authorize(user, attrs);
      if (await this.injectFault(req, res, url, verb)) return;
      await this.serve(req, res, url, route, verb, user);
    } catch (err) {
      sendError(res, err instanceof ApiError ? err : this.internal(err));
    }
  }

  private internal(err: unknown): ApiError {
    this.d.log(`internal error: ${(err as Error)?.stack ?? String(err)}`);
    return new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error)?.message ?? String(err)}`, { causes: [{ message: String((err as Error)?.message ?? err) }] });
  }

  /** Answers with an injected failure when a fault matches; true when it did. */
  private async injectFault(req: IncomingMessage, res: ServerResponse, url: URL, verb: string): Promise<boolean> {
    const fault = this.d.knobs.takeFault(`${url.pathname}${url.search}`, verb, req.method ?? 'GET');
    if (!fault) return false;
    if (fault === 500) sendError(res, new ApiError(500, 'InternalError', 'Internal error occurred: injected fault'));
    else if (fault === 429)
      sendError(res, new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 }, { 'Retry-After': '1' }));
    else {
      // A request that never gets an answer, as behind a hung load balancer.
      const t = setTimeout(() => res.destroy(), 120_000);
      res.on('close', () => clearTimeout(t));
    }
    return true;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, url: URL, r: Route, verb: string, user: UserInfo): Promise<void> {
    const { store } = this.d;
    const q = url.searchParams;
    const t = r.type;
    if (t.resource === 'selfsubjectaccessreviews') {
      if (verb !== 'create') throw methodNotAllowed();
      return sendJson(res, 201, this.accessReview(user, await readJson(req)));
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
        status: { ...this.d.rbac.rulesFor(user, ns), incomplete: false },
      });
    }
    if (r.namespace && t.resource !== 'namespaces' && verb === 'create' && !store.get('namespaces', undefined, r.namespace)) throw notFound('namespaces', '', r.namespace);
    if (r.subresource) return this.serveSubresource(req, res, url, r, verb);
    if (!t.verbs.includes(verb)) throw methodNotAllowed();
    switch (verb) {
      case 'get': {
        const obj = store.get(t.resource, r.namespace, r.name!);
        if (!obj) throw notFound(t.resource, t.group, r.name!);
        if (wantsTable(req.headers.accept)) return sendJson(res, 200, toTable(t.resource, [obj], {}, q.get('includeObject'), tableVersion(req.headers.accept)));
        return sendJson(res, 200, obj);
      }
      case 'list':
        return this.list(req, res, q, r);
      case 'watch':
        return this.watch(req, res, q, r);
      case 'create': {
        const body = await readJson(req);
        const obj = prepareCreate(t, body ?? {}, r.namespace);
        if (store.get(t.resource, obj.metadata.namespace, obj.metadata.name)) throw alreadyExists(t.resource, t.group, obj.metadata.name);
        if (q.get('dryRun') === 'All') return sendJson(res, 201, obj);
        store.create(t.resource, obj);
        this.afterWrite(t, obj, 'create');
        return sendJson(res, 201, obj);
      }
      case 'update':
      case 'patch': {
        const current = store.get(t.resource, r.namespace, r.name!);
        if (!current) throw notFound(t.resource, t.group, r.name!);
        const body = await readJson(req);
        const next = verb === 'update' ? body : applyPatch(patchTypeOf(req.headers['content-type']), JSON.parse(JSON.stringify(current)), body);
        const wantedRv = next?.metadata?.resourceVersion;
        if (wantedRv && wantedRv !== current.metadata.resourceVersion) throw conflict(t.resource, t.group, r.name!);
        const updated = prepareUpdate(t, current, next, undefined);
        if (q.get('dryRun') === 'All') return sendJson(res, 200, updated);
        const changed = JSON.stringify({ ...updated, metadata: { ...updated.metadata, resourceVersion: '' } }) !== JSON.stringify({ ...current, metadata: { ...current.metadata, resourceVersion: '' } });
        if (changed) {
          store.update(t.resource, updated);
          this.afterWrite(t, updated, 'update');
        }
        return sendJson(res, 200, changed ? updated : current);
      }
      case 'delete':
        return sendJson(res, 200, await this.delete(req, q, r));
      case 'deletecollection': {
        const sel = parseLabelSelector(q.get('labelSelector'));
        const fsel = parseFieldSelector(q.get('fieldSelector'), t.kind);
        const victims = store.list(t.resource, r.namespace).filter((o) => sel(o.metadata.labels) && fsel(o));
        for (const v of victims) await this.delete(req, q, { ...r, namespace: v.metadata.namespace, name: v.metadata.name }, false);
        return sendJson(res, 200, { kind: listKind(t), apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(store.currentVersion()) }, items: victims });
      }
      default:
        throw methodNotAllowed();
    }
  }

  private afterWrite(t: ResourceType, obj: K8sObject, op: 'create' | 'update'): void {
    if (t.resource === 'deployments') this.d.controller.deploymentChanged(obj.metadata.namespace, obj.metadata.name);
    if (t.resource === 'pods' && op === 'create') this.d.controller.podCreated(obj);
  }

  private async delete(req: IncomingMessage, q: URLSearchParams, r: Route, readOptions = true): Promise<unknown> {
    const { store, controller } = this.d;
    const t = r.type;
    const opts = readOptions ? ((await readJson(req).catch(() => undefined)) ?? {}) : {};
    const obj = store.get(t.resource, r.namespace, r.name!);
    if (!obj) throw notFound(t.resource, t.group, r.name!);
    const pre = opts.preconditions ?? {};
    if ((pre.uid && pre.uid !== obj.metadata.uid) || (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion)) throw conflict(t.resource, t.group, r.name!);
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

  private selected(q: URLSearchParams, r: Route): (o: K8sObject) => boolean {
    const sel = parseLabelSelector(q.get('labelSelector'));
    const fsel = parseFieldSelector(q.get('fieldSelector'), r.type.kind);
    return (o) => (!r.namespace || o.metadata.namespace === r.namespace) && sel(o.metadata.labels) && fsel(o);
  }

  private list(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, r: Route): void {
    const t = r.type;
    const filter = this.selected(q, r);
    let items = this.d.store.list(t.resource, r.namespace).filter(filter);
    items.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    const meta: Record<string, unknown> = { resourceVersion: String(this.d.store.currentVersion()) };
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
    if (wantsTable(req.headers.accept)) return sendJson(res, 200, toTable(t.resource, items, meta, q.get('includeObject'), tableVersion(req.headers.accept)));
    // Serialized by hand so the live objects are not copied into a list object first.
    const head = `{"kind":"${listKind(t)}","apiVersion":"${apiVersionOf(t)}","metadata":${JSON.stringify(meta)},"items":[`;
    sendJson(res, 200, head + items.map((o) => JSON.stringify(o)).join(',') + ']}');
  }

  private watch(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, r: Route): void {
    const { store } = this.d;
    const t = r.type;
    const filter = this.selected(q, r);
    const hasSelector = !!(q.get('labelSelector') || q.get('fieldSelector'));
    const table = wantsTable(req.headers.accept);
    const tv = tableVersion(req.headers.accept);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const write = (type: string, json: string, obj?: K8sObject) => {
      const body = table && obj ? JSON.stringify(toTable(t.resource, [obj], { resourceVersion: obj.metadata.resourceVersion }, q.get('includeObject'), tv)) : json;
      res.write(`{"type":"${type}","object":${body}}\n`);
    };
    const rvParam = q.get('resourceVersion');
    const sendInitial = truthy(q.get('sendInitialEvents'));
    if (!rvParam || rvParam === '0' || sendInitial) {
      for (const o of store.list(t.resource, r.namespace).filter(filter)) write('ADDED', JSON.stringify(o), o);
      if (sendInitial) {
        const bookmark = { kind: t.kind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(store.currentVersion()), annotations: { 'k8s.io/initial-events-end': 'true' } } };
        write('BOOKMARK', JSON.stringify(bookmark));
      }
    } else {
      const since = Number(rvParam);
      const past = Number.isFinite(since) ? store.eventsSince(t.resource, since) : null;
      if (!past) {
        const status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rvParam} (${store.currentVersion()})`, reason: 'Expired', code: 410 };
        write('ERROR', JSON.stringify(status));
        res.end();
        return;
      }
      for (const e of past) {
        const obj = hasSelector || table || r.namespace ? JSON.parse(e.json) : undefined;
        if (obj && !filter(obj)) continue;
        write(e.type, e.json, obj);
      }
    }
    // Objects the client currently believes match, so a label change that moves an
    // object into or out of the selection arrives as ADDED or DELETED, as the real watch cache does.
    const keyOf = (o: K8sObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const inView = new Set(hasSelector ? store.list(t.resource, r.namespace).filter(filter).map(keyOf) : []);
    const unsubscribe = store.subscribe(t.resource, (ev) => {
      if (!hasSelector) {
        if (filter(ev.object)) write(ev.type, ev.json, ev.object);
        return;
      }
      const key = keyOf(ev.object);
      const now = filter(ev.object);
      const was = inView.has(key);
      if (ev.type === 'DELETED') {
        inView.delete(key);
        if (was || now) write('DELETED', ev.json, ev.object);
      } else if (now) {
        inView.add(key);
        write(was ? 'MODIFIED' : 'ADDED', ev.json, ev.object);
      } else if (was) {
        inView.delete(key);
        write('DELETED', ev.json, ev.object);
      }
    });
    const timeout = Number(q.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const bookmarks = truthy(q.get('allowWatchBookmarks'))
      ? setInterval(() => write('BOOKMARK', JSON.stringify({ kind: t.kind, apiVersion: apiVersionOf(t), metadata: { resourceVersion: String(store.currentVersion()) } })), 30_000)
      : undefined;
    res.on('close', () => {
      unsubscribe();
      clearTimeout(timer);
      clearInterval(bookmarks);
    });
  }

  private accessReview(user: UserInfo, body: any): unknown {
    const spec = body?.spec ?? {};
    let allowed = false;
    if (spec.resourceAttributes) {
      const ra = spec.resourceAttributes;
      allowed = this.d.rbac.allows(user, { verb: ra.verb ?? '', group: ra.group ?? '', resource: ra.resource ?? '', subresource: ra.subresource || undefined, namespace: ra.namespace || undefined, name: ra.name || undefined });
    } else if (spec.nonResourceAttributes) {
      allowed = this.d.rbac.allowsNonResource(user, spec.nonResourceAttributes.path ?? '', spec.nonResourceAttributes.verb ?? '');
    } else {
      throw new ApiError(422, 'Invalid', 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified');
    }
    return {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec,
      status: allowed ? { allowed: true, reason: `RBAC: allowed by devcluster policy for User "${user.name}"` } : { allowed: false },
    };
  }

  // ---- subresources -------------------------------------------------------

  private async serveSubresource(req: IncomingMessage, res: ServerResponse, url: URL, r: Route, verb: string): Promise<void> {
    const { store } = this.d;
    const t = r.type;
    const obj = store.get(t.resource, r.namespace, r.name!);
    if (!obj) throw notFound(t.resource, t.group, r.name!);
    const sub = r.subresource!;
    if (t.resource === 'pods' && sub === 'log' && verb === 'get') return this.podLog(res, url.searchParams, obj);
    if (t.resource === 'pods' && sub === 'exec') throw badRequest('Upgrade request required');
    if (t.resource === 'deployments' && sub === 'scale') return this.scale(req, res, obj, verb);
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

  private async scale(req: IncomingMessage, res: ServerResponse, dep: K8sObject, verb: string): Promise<void> {
    const toScale = (d: K8sObject) => ({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: { name: d.metadata.name, namespace: d.metadata.namespace, uid: d.metadata.uid, resourceVersion: d.metadata.resourceVersion, creationTimestamp: d.metadata.creationTimestamp },
      spec: { replicas: d.spec.replicas ?? 1 },
      status: { replicas: d.status?.replicas ?? 0, selector: Object.entries(d.spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',') },
    });
    if (verb === 'get') return sendJson(res, 200, toScale(dep));
    if (verb !== 'update' && verb !== 'patch') throw methodNotAllowed();
    const body = await readJson(req);
    const current = toScale(dep);
    const next = verb === 'update' ? body : applyPatch(patchTypeOf(req.headers['content-type']), structuredClone(current), body);
    if (next?.metadata?.resourceVersion && next.metadata.resourceVersion !== dep.metadata.resourceVersion) throw conflict('deployments', 'apps', dep.metadata.name);
    const replicas = next?.spec?.replicas;
    if (!Number.isInteger(replicas) || replicas < 0)
      throw new ApiError(422, 'Invalid', `Scale.autoscaling "${dep.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
    if (replicas !== dep.spec.replicas) {
      const t = findType('apps', 'v1', 'deployments')!;
      const updated = prepareUpdate(t, dep, { ...dep, spec: { ...dep.spec, replicas } }, undefined);
      this.d.store.update('deployments', updated);
      this.afterWrite(t, updated, 'update');
      return sendJson(res, 200, toScale(updated));
    }
    return sendJson(res, 200, current);
  }

  private podLog(res: ServerResponse, q: URLSearchParams, pod: K8sObject): void {
    const name = pod.metadata.name;
    const containers: string[] = (pod.spec.containers ?? []).map((c: K8sObject) => c.name);
    let container = q.get('container');
    if (!container) {
      if (containers.length !== 1) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
      container = containers[0];
    }
    if (!containers.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    const cs = (pod.status?.containerStatuses ?? []).find((c: K8sObject) => c.name === container);
    const log = this.d.controller.logFor(pod.metadata.namespace, name, container);
    const previous = truthy(q.get('previous'));
    let lines: LogLine[];
    if (previous) {
      if (!log?.previous) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
      lines = log.previous;
    } else {
      if (!cs || (cs.state?.waiting && !cs.lastState?.terminated && (log?.lines.length ?? 0) === 0))
        throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${cs?.state?.waiting?.reason ?? 'ContainerCreating'}`);
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

  // ---- exec -----------------------------------------------------------------

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => undefined);
    try {
      const url = new URL(req.url ?? '/', 'https://devcluster');
      const caller = this.authenticate(req);
      this.d.knobs.requests++;
      const user = this.impersonate(req, caller);
      if (this.d.knobs.latencyMs > 0) await sleep(this.d.knobs.latencyMs);
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec\/?$/.exec(url.pathname);
      if (!m) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
      const [, namespace, name] = m.map(decodeURIComponent);
      const verb = req.method === 'POST' ? 'create' : 'get';
      this.d.knobs.countRequest(verb, { resource: 'pods', subresource: 'exec', namespace, name });
      this.authorize(user, { verb, group: '', resource: 'pods', subresource: 'exec', namespace, name });
      const fault = this.d.knobs.takeFault(`${url.pathname}${url.search}`, verb, req.method ?? 'GET');
      if (fault === 500) throw new ApiError(500, 'InternalError', 'Internal error occurred: injected fault');
      if (fault === 429) throw new ApiError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
      if (fault === 'timeout') return void setTimeout(() => socket.destroy(), 120_000).unref();
      if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw badRequest('Upgrade request required: only WebSocket (v5.channel.k8s.io) exec is supported by this server');

      const pod = this.d.store.get('pods', namespace, name);
      if (!pod) throw notFound('pods', '', name);
      const q = url.searchParams;
      const command = q.getAll('command');
      if (command.length === 0) throw badRequest('you must specify at least 1 command');
      const containers: string[] = (pod.spec.containers ?? []).map((c: K8sObject) => c.name);
      const container = q.get('container') || (containers.length === 1 ? containers[0] : mainContainer(pod)?.name);
      if (!container || !containers.includes(container)) throw badRequest(`container ${q.get('container')} is not valid for pod ${name}`);
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') throw badRequest(`cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`);
      if (pod.status?.phase !== 'Running') throw badRequest(`unable to upgrade connection: pod ${name} is not running`);
      const handle = this.d.controller.handleFor(namespace, name);
      const cs = (pod.status.containerStatuses ?? []).find((c: K8sObject) => c.name === container);
      // Crash-looping pods never get a sandbox, so exec into them is always refused.
      if (!handle || !cs?.state?.running || container !== handle.spec.containerName) throw badRequest(`unable to upgrade connection: container not found ("${container}")`);

      this.d.knobs.execs++;
      if (this.d.knobs.execLatencyMs > 0) await sleep(this.d.knobs.execLatencyMs);
      const stdin = truthy(q.get('stdin'));
      const record: ExecRecord | null = this.d.recorder.on ? { namespace, pod: name, command, stdout: [], stderr: [] } : null;
      if (record) this.d.recorder.records.push(record);
      upgradeExec(req, socket, head, {
        command,
        stdin,
        stdout: truthy(q.get('stdout')),
        stderr: truthy(q.get('stderr')),
        tty: truthy(q.get('tty')),
        fault: this.d.knobs.takeExecFault(),
        start: (): ExecProcess => {
          const proc = handle.exec(command, { stdin });
          if (!record) return proc;
          return { ...proc, stdout: proc.stdout.pipe(tee(record.stdout)), stderr: proc.stderr.pipe(tee(record.stderr)), done: proc.done, kill: () => proc.kill() };
        },
      });
    } catch (err) {
      rawError(socket, err instanceof ApiError ? err : this.internal(err));
    }
  }

  // ---- control ----------------------------------------------------------------

  private async control(req: IncomingMessage, res: ServerResponse, url: URL, caller: UserInfo): Promise<void> {
    if (!caller.groups.includes('system:masters') || req.headers['impersonate-user']) throw new ApiError(403, 'Forbidden', `forbidden: User "${caller.name}" cannot use the devcluster control endpoints`);
    const what = url.pathname.slice('/_devcluster/'.length).replace(/\/$/, '');
    const { knobs } = this.d;
    const method = req.method ?? 'GET';
    if (what === 'stats' && method === 'GET') return sendJson(res, 200, knobs.stats());
    if (what === 'stats/reset' && method === 'POST') {
      knobs.resetStats();
      return sendJson(res, 200, knobs.stats());
    }
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
      if (!this.d.store.get('deployments', body.namespace, body.deployment)) throw notFound('deployments', 'apps', body.deployment);
      this.d.controller.setCrashLoop(body.namespace, body.deployment, !!body.on);
      return sendJson(res, 200, { namespace: body.namespace, deployment: body.deployment, on: !!body.on });
    }
    if (what === 'exec-recording' && method === 'POST') {
      this.d.recorder.set(!!((await readJson(req)) ?? {}).on);
      return sendJson(res, 200, { on: this.d.recorder.on });
    }
    if (what === 'exec-recording' && method === 'GET') return sendJson(res, 200, this.d.recorder.toJson());
    if (what === 'rbac' && method === 'GET') return sendJson(res, 200, this.d.rbac.current());
    // PUT replaces the whole policy; POST adds bindings to it; DELETE restores the default.
    if (what === 'rbac' && method === 'PUT') {
      this.d.rbac.replace(policyFromJson(await readJson(req)));
      return sendJson(res, 200, this.d.rbac.current());
    }
    if (what === 'rbac' && method === 'POST') {
      const added = policyFromJson(await readJson(req));
      this.d.rbac.replace({ bindings: [...this.d.rbac.current().bindings, ...added.bindings] });
      return sendJson(res, 200, this.d.rbac.current());
    }
    if (what === 'rbac' && method === 'DELETE') {
      this.d.rbac.replace(defaultPolicy());
      return sendJson(res, 200, this.d.rbac.current());
    }
    throw new ApiError(404, 'NotFound', `no control endpoint ${method} /_devcluster/${what}`);
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

function listKind(t: ResourceType): string {
  return `${t.kind}List`;
}

/** The Table version the client offered, preferring v1. */
function tableVersion(accept: string | undefined): string {
  return /as=Table;v=v1beta1/.test(accept ?? '') && !/as=Table;v=v1(;|,|$)/.test(accept ?? '') ? 'v1beta1' : 'v1';
}
