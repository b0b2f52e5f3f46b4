// From a URL path to a resource type (or a discovery document), and from a method to a verb.
import { apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery';
import { truthy, type ApiServerDeps, type Route } from './http';
import { openApiV3Group, openApiV3Root } from './openapi';
import { findType } from './resources';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import { methodNotAllowed } from './status';
import type { K8sObject } from './store';

export function resolveRoute(d: ApiServerDeps, parts: string[]): Route | { discovery: unknown } | null {
  let group = '';
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length === 1) return { discovery: apiVersions(d.serverAddress()) };
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
export function openApi(parts: string[]): { discovery: unknown } | null {
  if (parts[1] !== 'v3') return null;
  if (parts.length === 2) return { discovery: openApiV3Root() };
  const doc = openApiV3Group(parts.slice(2).join('/'));
  return doc ? { discovery: doc } : null;
}

export function verbOf(method: string, route: Route, query: URLSearchParams): string {
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

export function selected(q: URLSearchParams, r: Route): (o: K8sObject) => boolean {
  const sel = parseLabelSelector(q.get('labelSelector'));
  const fsel = parseFieldSelector(q.get('fieldSelector'), r.type.kind);
  return (o) => (!r.namespace || o.metadata.namespace === r.namespace) && sel(o.metadata.labels) && fsel(o);
}
