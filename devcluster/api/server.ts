// The HTTP side of the API server: each request is authenticated, impersonated, authorized and
// routed here; the work is done by the module of its concern (crud, watch, subresources, exec,
// faults, control).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { control } from './control';
import { serve } from './crud';
import { SERVER_VERSION } from './discovery';
import { handleUpgrade } from './exec';
import { injectFault } from './faults';
import { internal, sendError, sendJson, sleep, type ApiServerDeps } from './http';
import { authenticate, authorize, impersonate } from './identity';
import type { ResourceAttributes } from './rbac';
import { openApi, resolveRoute, verbOf } from './routing';
import { ApiError } from './status';

export type { ApiServerDeps } from './http';

export class ApiServer {
  constructor(private readonly d: ApiServerDeps) {}

  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return handle(this.d, req, res);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    return handleUpgrade(this.d, req, socket, head);
  }
}

async function handle(d: ApiServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'https://devcluster');
    const caller = authenticate(d, req);
    if (url.pathname.startsWith('/_devcluster/')) return await control(d, req, res, url, caller);
    d.knobs.requests++;
    const user = impersonate(d, req, caller);
    if (d.knobs.latencyMs > 0) await sleep(d.knobs.latencyMs);
    const parts = url.pathname.split('/').filter(Boolean);
    if (url.pathname === '/version' || url.pathname === '/version/') return sendJson(res, 200, SERVER_VERSION);
    if (/^(healthz|livez|readyz)$/.test(parts[0] ?? '')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('ok');
    }
    const route = parts[0] === 'openapi' ? openApi(parts) : resolveRoute(d, parts);
    if (!route || 'discovery' in route) {
      const verb = (req.method ?? 'GET').toLowerCase();
      if (!d.rbac.allowsNonResource(user, url.pathname, verb))
        throw new ApiError(403, 'Forbidden', `forbidden: User "${user.name}" cannot ${verb} path "${url.pathname}"`);
      if (await injectFault(d, req, res, url, verb)) return;
      if (!route)
        throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {
          causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found' }],
        });
      return sendJson(res, 200, route.discovery);
    }
    const verb = verbOf(req.method ?? 'GET', route, url.searchParams);
    const attrs: ResourceAttributes = {
      verb,
      group: route.type.group,
      resource: route.type.resource,
      subresource: route.subresource,
      namespace: route.namespace,
      name: route.name,
    };
    d.knobs.countRequest(verb, attrs);
    authorize(d, user, attrs);
    if (await injectFault(d, req, res, url, verb)) return;
    await serve(d, req, res, url, route, verb, user);
  } catch (err) {
    sendError(res, err instanceof ApiError ? err : internal(d, err));
  }
}
