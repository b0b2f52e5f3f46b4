// Label and field selectors with the grammar kube-apiserver accepts.
import { badRequest } from './status';

type Requirement =
  | { key: string; op: 'eq' | 'neq'; value: string }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists' };

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean;

/** Splits on commas that are not inside a `( ... )` value set. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}" in selector "${whole}"`);
  return key;
}

function parseRequirement(part: string, whole: string): Requirement {
  let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (m) {
    const values = m[3].split(',').map((v) => v.trim()).filter((v) => v.length > 0);
    return { key: checkKey(m[1], whole), op: m[2] as 'in' | 'notin', values };
  }
  m = /^!\s*(\S+)$/.exec(part);
  if (m) return { key: checkKey(m[1], whole), op: 'notexists' };
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
  if (m) return { key: checkKey(m[1], whole), op: m[2] === '!=' ? 'neq' : 'eq', value: m[3] };
  if (/^[^=!\s()]+$/.test(part)) return { key: checkKey(part, whole), op: 'exists' };
  throw badRequest(`unable to parse requirement: found '${part}', expected: identifier in selector "${whole}"`);
}

function matches(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case 'eq':
      return has && value === req.value;
    case 'neq':
      return !has || value !== req.value;
    case 'in':
      return has && req.values.includes(value);
    case 'notin':
      return !has || !req.values.includes(value);
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (!text || !text.trim()) return () => true;
  const reqs = splitTopLevel(text).map((p) => parseRequirement(p, text));
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

/** matchLabels + matchExpressions of a LabelSelector object (Deployment spec.selector). */
export function selectorFromObject(sel: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined): LabelSelector {
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {})) reqs.push({ key, op: 'eq', value });
  for (const e of sel?.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin') reqs.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === 'exists') reqs.push({ key: e.key, op: 'exists' });
    else if (op === 'doesnotexist') reqs.push({ key: e.key, op: 'notexists' });
  }
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

export type FieldSelector = (obj: Record<string, any>) => boolean;

const FIELD_GETTERS: Record<string, (o: Record<string, any>) => string | undefined> = {
  'metadata.name': (o) => o.metadata?.name,
  'metadata.namespace': (o) => o.metadata?.namespace,
  'status.phase': (o) => o.status?.phase,
  'spec.nodeName': (o) => o.spec?.nodeName,
  'spec.restartPolicy': (o) => o.spec?.restartPolicy,
  'spec.schedulerName': (o) => o.spec?.schedulerName,
  'spec.serviceAccountName': (o) => o.spec?.serviceAccountName,
  'status.podIP': (o) => o.status?.podIP,
  'involvedObject.name': (o) => o.involvedObject?.name,
  'involvedObject.kind': (o) => o.involvedObject?.kind,
  'involvedObject.namespace': (o) => o.involvedObject?.namespace,
  'involvedObject.uid': (o) => o.involvedObject?.uid,
  type: (o) => o.type,
  reason: (o) => o.reason,
};

export function parseFieldSelector(text: string | null | undefined, kind: string): FieldSelector {
  if (!text || !text.trim()) return () => true;
  const reqs = text.split(',').map((part) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const getter = FIELD_GETTERS[m[1]];
    if (!getter) throw badRequest(`"${m[1]}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    return { getter, neq: m[2] === '!=', value: m[3] };
  });
  void kind;
  return (obj) => reqs.every((r) => ((r.getter(obj) ?? '') === r.value) !== r.neq);
}
