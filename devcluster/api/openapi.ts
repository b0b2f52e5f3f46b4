// A minimal OpenAPI v3 surface: enough for kubectl to learn that PATCH accepts
// `fieldValidation` (so it leaves validation to the server, as with a real
// apiserver) and to fall back to its compiled-in types for patch strategies.
import { RESOURCE_TYPES, type ResourceType } from './resources';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiV3Root() {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const t of RESOURCE_TYPES) {
    const p = gvPath(t.group, t.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${Buffer.from(p).toString('hex').slice(0, 32).toUpperCase()}` };
  }
  return { paths };
}

function operation(t: ResourceType, action: string) {
  return {
    operationId: `${action}${t.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
    parameters: [
      { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
    ],
    responses: { '200': { description: 'OK' } },
  };
}

export function openApiV3Group(pathTail: string) {
  const types = RESOURCE_TYPES.filter((t) => gvPath(t.group, t.version) === pathTail);
  if (types.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const t of types) {
    if (!t.verbs.includes('patch') && !t.verbs.includes('create')) continue;
    const base = `/${pathTail}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}`;
    if (t.verbs.includes('create')) paths[base] = { post: operation(t, 'post') };
    if (t.verbs.includes('patch')) paths[`${base}/{name}`] = { patch: operation(t, 'patch'), put: operation(t, 'put') };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.33.4' }, paths, components: { schemas: {} } };
}
