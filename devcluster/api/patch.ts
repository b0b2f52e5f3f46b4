// The three PATCH flavours kube-apiserver accepts: JSON merge (RFC 7386),
// JSON patch (RFC 6902) and strategic merge (lists merged by their patchMergeKey).
import { ApiError, badRequest } from './status';

type Json = any;

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function decodePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`invalid JSON pointer "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, tokens: string[], op: string, path: string): { parent: Json; key: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (cur === undefined)
      throw new ApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: doc is missing path: "${path}": missing value`,
      );
  }
  void op;
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function getAt(doc: Json, path: string): Json {
  let cur = doc;
  for (const t of decodePointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (cur === undefined)
      throw new ApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: doc is missing path: "${path}": missing value`,
      );
  }
  return cur;
}

function removeAt(doc: Json, path: string): Json {
  const { parent, key } = parentOf(doc, decodePointer(path), 'remove', path);
  if (Array.isArray(parent)) {
    const i = Number(key);
    if (!(i >= 0 && i < parent.length))
      throw new ApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: Unable to remove nonexistent key: ${key}: missing value`,
      );
    return parent.splice(i, 1)[0];
  }
  if (!isObject(parent) || !(key in parent))
    throw new ApiError(
      422,
      'Invalid',
      `the server rejected our request due to an error in our request: Unable to remove nonexistent key: ${key}: missing value`,
    );
  const v = parent[key];
  delete parent[key];
  return v;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const tokens = decodePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, 'add', path);
  if (Array.isArray(parent)) {
    const i = key === '-' ? parent.length : Number(key);
    if (!(i >= 0 && i <= parent.length))
      throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: index out of bounds: ${key}`);
    if (replace) parent[i] = value;
    else parent.splice(i, 0, value);
  } else if (isObject(parent)) {
    if (replace && !(key in parent))
      throw new ApiError(
        422,
        'Invalid',
        `the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: ${path}: missing value`,
      );
    parent[key] = value;
  } else
    throw new ApiError(
      422,
      'Invalid',
      `the server rejected our request due to an error in our request: doc is missing path: "${path}": missing value`,
    );
  return doc;
}

export function jsonPatch(target: Json, ops: Json): Json {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = structuredClone(target);
  for (const op of ops) {
    const value = op.value === undefined ? undefined : structuredClone(op.value);
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, value, false);
        break;
      case 'replace':
        doc = addAt(doc, op.path, value, true);
        break;
      case 'remove':
        removeAt(doc, op.path);
        break;
      case 'move': {
        const v = removeAt(doc, op.from);
        doc = addAt(doc, op.path, v, false);
        break;
      }
      case 'copy':
        doc = addAt(doc, op.path, structuredClone(getAt(doc, op.from)), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value))
          throw new ApiError(
            422,
            'Invalid',
            `the server rejected our request due to an error in our request: testing value ${op.path} failed: test failed`,
          );
        break;
      default:
        throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

/** patchMergeKey of the list fields the apps/v1 and core/v1 types declare, by field name. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  conditions: 'type',
  ownerReferences: 'uid',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
};

function strategicList(field: string, target: Json[] | undefined, patch: Json[]): Json[] {
  const key = MERGE_KEYS[field];
  if (!key || !patch.every(isObject)) return patch.filter((p) => !(isObject(p) && '$patch' in p));
  if (patch.some((p) => p.$patch === 'replace')) return patch.filter((p) => p.$patch !== 'replace');
  const out = (target ?? []).map((x) => x);
  for (const item of patch) {
    const idx = out.findIndex((t) => isObject(t) && t[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMerge(out[idx], item);
    else out.push(strategicMerge(undefined, item));
  }
  return out;
}

export function strategicMerge(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return rest;
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field]) && Array.isArray(v)) out[field] = out[field].filter((x: Json) => !v.includes(x));
      continue;
    }
    if (v === null) delete out[k];
    else if (Array.isArray(v)) out[k] = strategicList(k, Array.isArray(out[k]) ? out[k] : undefined, v);
    else if (isObject(v)) {
      const merged = strategicMerge(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = v;
  }
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(out)) if (!patch.$retainKeys.includes(k)) delete out[k];
  }
  return out;
}

export type PatchType = 'merge' | 'strategic' | 'json';

export function patchTypeOf(contentType: string | undefined): PatchType {
  const ct = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (ct === 'application/merge-patch+json') return 'merge';
  if (ct === 'application/strategic-merge-patch+json') return 'strategic';
  if (ct === 'application/json-patch+json') return 'json';
  throw new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
  );
}

export function applyPatch(type: PatchType, target: Json, patch: Json): Json {
  if (type === 'json') return jsonPatch(target, patch);
  if (!isObject(patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
  return type === 'merge' ? mergePatch(target, patch) : strategicMerge(target, patch);
}
