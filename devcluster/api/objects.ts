// What kube-apiserver does to an object on create and update: defaulting,
// validation of the fields the dev cluster relies on, and immutable metadata.
import { randomSuffix } from './hash';
import type { ResourceType } from './resources';
import { selectorFromObject } from './selectors';
import { badRequest, invalid } from './status';
import type { K8sObject } from './store';

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function prepareCreate(t: ResourceType, body: K8sObject, namespace: string | undefined): K8sObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body of the request was in an unknown format');
  const obj: K8sObject = { ...body, apiVersion: t.group ? `${t.group}/${t.version}` : t.version, kind: t.kind };
  obj.metadata = { ...(body.metadata ?? {}) };
  if (t.namespaced) {
    if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    obj.metadata.namespace = namespace ?? obj.metadata.namespace;
  } else delete obj.metadata.namespace;
  if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = `${obj.metadata.generateName}${randomSuffix()}`;
  const name: string = obj.metadata.name ?? '';
  if (!name)
    throw invalid(t.kind, t.group, '', [
      { field: 'metadata.name', message: 'Required value: name or generateName is required', reason: 'FieldValueRequired' },
    ]);
  if (!NAME_RE.test(name) || name.length > 253)
    throw invalid(t.kind, t.group, name, [
      {
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
      },
    ]);
  for (const k of [
    'uid',
    'resourceVersion',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'generation',
    'managedFields',
    'selfLink',
  ])
    delete obj.metadata[k];
  switch (t.resource) {
    case 'deployments':
      defaultDeployment(obj);
      validateDeployment(obj);
      obj.metadata.generation = 1;
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), 'deployment.kubernetes.io/revision': '1' };
      obj.status = {};
      break;
    case 'pods':
      if (!Array.isArray(obj.spec?.containers) || obj.spec.containers.length === 0)
        throw invalid('Pod', '', name, [{ field: 'spec.containers', message: 'Required value', reason: 'FieldValueRequired' }]);
      defaultPodSpec(obj.spec);
      obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
      break;
    case 'namespaces':
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
      obj.spec = { finalizers: ['kubernetes'] };
      obj.status = { phase: 'Active' };
      break;
    case 'secrets':
      normalizeSecret(obj);
      break;
    case 'persistentvolumeclaims':
      obj.spec = { volumeMode: 'Filesystem', storageClassName: 'standard', ...(obj.spec ?? {}) };
      obj.spec.volumeName ??= `pvc-${randomSuffix(8)}`;
      obj.status = {
        phase: 'Bound',
        accessModes: obj.spec.accessModes ?? ['ReadWriteOnce'],
        capacity: { storage: obj.spec.resources?.requests?.storage ?? '1Gi' },
      };
      break;
  }
  return obj;
}

export function normalizeSecret(obj: K8sObject): void {
  obj.type ??= 'Opaque';
  if (obj.stringData) {
    obj.data = { ...(obj.data ?? {}) };
    for (const [k, v] of Object.entries(obj.stringData)) obj.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete obj.stringData;
  }
}

export function defaultPodSpec(spec: K8sObject): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const c of spec.containers ?? []) {
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.imagePullPolicy ??= String(c.image ?? '').endsWith(':latest') || !String(c.image ?? '').includes(':') ? 'Always' : 'IfNotPresent';
    c.resources ??= {};
  }
}

export function defaultDeployment(obj: K8sObject): void {
  obj.spec ??= {};
  const s = obj.spec;
  s.replicas ??= 1;
  s.revisionHistoryLimit ??= 10;
  s.progressDeadlineSeconds ??= 600;
  s.strategy ??= { type: 'RollingUpdate' };
  if (s.strategy.type === 'RollingUpdate')
    s.strategy.rollingUpdate = { maxUnavailable: '25%', maxSurge: '25%', ...(s.strategy.rollingUpdate ?? {}) };
  s.template ??= {};
  s.template.metadata ??= {};
  s.template.spec ??= {};
  defaultPodSpec(s.template.spec);
}

export function validateDeployment(obj: K8sObject): void {
  const name = obj.metadata.name;
  const s = obj.spec;
  if (!s.selector || (!s.selector.matchLabels && !s.selector.matchExpressions))
    throw invalid('Deployment', 'apps', name, [{ field: 'spec.selector', message: 'Required value', reason: 'FieldValueRequired' }]);
  if (!selectorFromObject(s.selector)(s.template?.metadata?.labels ?? {}))
    throw invalid('Deployment', 'apps', name, [
      {
        field: 'spec.template.metadata.labels',
        message: `Invalid value: ${JSON.stringify(s.template?.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\``,
      },
    ]);
  const containers = s.template?.spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0)
    throw invalid('Deployment', 'apps', name, [
      { field: 'spec.template.spec.containers', message: 'Required value', reason: 'FieldValueRequired' },
    ]);
  containers.forEach((c: K8sObject, i: number) => {
    if (!c.name)
      throw invalid('Deployment', 'apps', name, [
        { field: `spec.template.spec.containers[${i}].name`, message: 'Required value', reason: 'FieldValueRequired' },
      ]);
    if (!c.image)
      throw invalid('Deployment', 'apps', name, [
        { field: `spec.template.spec.containers[${i}].image`, message: 'Required value', reason: 'FieldValueRequired' },
      ]);
  });
  if (typeof s.replicas !== 'number' || s.replicas < 0 || !Number.isInteger(s.replicas))
    throw invalid('Deployment', 'apps', name, [
      { field: 'spec.replicas', message: `Invalid value: ${JSON.stringify(s.replicas)}: must be greater than or equal to 0` },
    ]);
  if (s.strategy?.type !== 'Recreate' && s.strategy?.type !== 'RollingUpdate')
    throw invalid('Deployment', 'apps', name, [
      {
        field: 'spec.strategy.type',
        message: `Unsupported value: "${s.strategy?.type}": supported values: "Recreate", "RollingUpdate"`,
        reason: 'FieldValueNotSupported',
      },
    ]);
  if (s.strategy.type === 'Recreate' && s.strategy.rollingUpdate)
    throw invalid('Deployment', 'apps', name, [
      {
        field: 'spec.strategy.rollingUpdate',
        message: "Forbidden: may not be specified when strategy `type` is 'Recreate'",
        reason: 'FieldValueForbidden',
      },
    ]);
}

/**
 * The result of PUT/PATCH on the main resource: metadata the server owns is kept,
 * status is not writable here, and Deployment generation moves with its spec.
 */
export function prepareUpdate(t: ResourceType, current: K8sObject, next: K8sObject, subresource: string | undefined): K8sObject {
  if (!next || typeof next !== 'object' || Array.isArray(next)) throw badRequest('the body of the request was in an unknown format');
  const name = current.metadata.name;
  if (next.metadata?.name && next.metadata.name !== name)
    throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
  if (subresource === 'status') {
    return { ...current, metadata: { ...current.metadata }, status: next.status };
  }
  const out: K8sObject = { ...next, apiVersion: current.apiVersion, kind: current.kind };
  out.metadata = {
    ...(next.metadata ?? {}),
    name,
    namespace: current.metadata.namespace,
    uid: current.metadata.uid,
    creationTimestamp: current.metadata.creationTimestamp,
    ...(current.metadata.generation !== undefined ? { generation: current.metadata.generation } : {}),
    ...(current.metadata.deletionTimestamp
      ? { deletionTimestamp: current.metadata.deletionTimestamp, deletionGracePeriodSeconds: current.metadata.deletionGracePeriodSeconds }
      : {}),
  };
  if (!out.metadata.namespace) delete out.metadata.namespace;
  if (current.status !== undefined) out.status = current.status;
  if (t.resource === 'deployments') {
    defaultDeployment(out);
    validateDeployment(out);
    if (JSON.stringify(out.spec) !== JSON.stringify(current.spec)) {
      out.metadata.generation = (current.metadata.generation ?? 1) + 1;
      if (JSON.stringify(out.spec.template) !== JSON.stringify(current.spec.template)) {
        const rev = Number(current.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '1') + 1;
        out.metadata.annotations = { ...(out.metadata.annotations ?? {}), 'deployment.kubernetes.io/revision': String(rev) };
      }
    }
    if (
      !out.metadata.annotations?.['deployment.kubernetes.io/revision'] &&
      current.metadata.annotations?.['deployment.kubernetes.io/revision']
    )
      out.metadata.annotations = {
        ...(out.metadata.annotations ?? {}),
        'deployment.kubernetes.io/revision': current.metadata.annotations['deployment.kubernetes.io/revision'],
      };
  }
  if (t.resource === 'pods') {
    // Pods are immutable apart from metadata, images and a few scheduling fields.
    const images = (out.spec?.containers ?? []).map((c: K8sObject) => c.image);
    out.spec = structuredClone(current.spec);
    (out.spec.containers ?? []).forEach((c: K8sObject, i: number) => {
      if (images[i]) c.image = images[i];
    });
  }
  if (t.resource === 'secrets') normalizeSecret(out);
  if (t.resource === 'namespaces') {
    out.spec = current.spec;
    out.metadata.labels = { ...(out.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  }
  return out;
}
