// Server-side printing (meta.k8s.io/v1 Table) with the columns kubectl shows.
import type { K8sObject } from './store';

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

const col = (name: string, type = 'string', priority = 0, format = '', description = ''): Column => ({
  name,
  type,
  format,
  description,
  priority,
});
const NAME = col('Name', 'string', 0, 'name', 'Name must be unique within a namespace.');
const AGE = col('Age', 'string', 0, '', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

/** kubectl's duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60 * 2) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 60 * 3) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

const age = (o: K8sObject) =>
  o.metadata?.creationTimestamp ? humanDuration(Date.now() - Date.parse(o.metadata.creationTimestamp)) : '<unknown>';

/** The STATUS column kubectl derives for a pod (printPod in kubernetes/pkg/printers/internalversion). */
export function podStatusReason(pod: K8sObject): string {
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
  for (const cs of pod.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated?.reason) reason = cs.state.terminated.reason;
  }
  if (pod.metadata?.deletionTimestamp) reason = 'Terminating';
  return reason;
}

function podRow(pod: K8sObject): unknown[] {
  const statuses: K8sObject[] = pod.status?.containerStatuses ?? [];
  const total = (pod.spec?.containers ?? []).length;
  const ready = statuses.filter((c) => c.ready).length;
  const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  const lastRestart = statuses
    .map((c) => c.lastState?.terminated?.finishedAt)
    .filter(Boolean)
    .map((t) => Date.parse(t))
    .sort((a, b) => b - a)[0];
  const restartText = lastRestart ? `${restarts} (${humanDuration(Date.now() - lastRestart)} ago)` : restarts;
  return [
    pod.metadata.name,
    `${ready}/${total}`,
    podStatusReason(pod),
    restartText,
    age(pod),
    pod.status?.podIP ?? '<none>',
    pod.spec?.nodeName ?? '<none>',
    '<none>',
    '<none>',
  ];
}

function deploymentRow(d: K8sObject): unknown[] {
  const containers: K8sObject[] = d.spec?.template?.spec?.containers ?? [];
  const sel = d.spec?.selector?.matchLabels ?? {};
  return [
    d.metadata.name,
    `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`,
    d.status?.updatedReplicas ?? 0,
    d.status?.availableReplicas ?? 0,
    age(d),
    containers.map((c) => c.name).join(','),
    containers.map((c) => c.image).join(','),
    Object.entries(sel)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  ];
}

const TABLES: Record<string, { columns: Column[]; row: (o: K8sObject) => unknown[] }> = {
  pods: {
    columns: [
      NAME,
      col('Ready', 'string', 0, '', 'The aggregate readiness state of this pod for accepting traffic.'),
      col('Status', 'string', 0, '', 'The aggregate status of the containers in this pod.'),
      col(
        'Restarts',
        'string',
        0,
        '',
        'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
      ),
      AGE,
      col('IP', 'string', 1),
      col('Node', 'string', 1),
      col('Nominated Node', 'string', 1),
      col('Readiness Gates', 'string', 1),
    ],
    row: podRow,
  },
  deployments: {
    columns: [
      NAME,
      col('Ready', 'string', 0, '', 'Number of the pod with ready state'),
      col(
        'Up-to-date',
        'string',
        0,
        '',
        'Total number of non-terminated pods targeted by this deployment that have the desired template spec.',
      ),
      col('Available', 'string', 0, '', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
      AGE,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    row: deploymentRow,
  },
  replicasets: {
    columns: [
      NAME,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      AGE,
      col('Containers', 'string', 1),
      col('Images', 'string', 1),
      col('Selector', 'string', 1),
    ],
    row: (o) => [
      o.metadata.name,
      o.spec?.replicas ?? 0,
      o.status?.replicas ?? 0,
      o.status?.readyReplicas ?? 0,
      age(o),
      (o.spec?.template?.spec?.containers ?? []).map((c: K8sObject) => c.name).join(','),
      (o.spec?.template?.spec?.containers ?? []).map((c: K8sObject) => c.image).join(','),
      Object.entries(o.spec?.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    ],
  },
  namespaces: { columns: [NAME, col('Status'), AGE], row: (o) => [o.metadata.name, o.status?.phase ?? 'Active', age(o)] },
  secrets: {
    columns: [NAME, col('Type'), col('Data', 'string'), AGE],
    row: (o) => [o.metadata.name, o.type ?? 'Opaque', Object.keys({ ...(o.data ?? {}), ...(o.stringData ?? {}) }).length, age(o)],
  },
  configmaps: {
    columns: [NAME, col('Data', 'string'), AGE],
    row: (o) => [o.metadata.name, Object.keys({ ...(o.data ?? {}), ...(o.binaryData ?? {}) }).length, age(o)],
  },
  persistentvolumeclaims: {
    columns: [
      NAME,
      col('Status'),
      col('Volume'),
      col('Capacity'),
      col('Access Modes'),
      col('StorageClass'),
      col('VolumeAttributesClass'),
      AGE,
    ],
    row: (o) => [
      o.metadata.name,
      o.status?.phase ?? 'Bound',
      o.spec?.volumeName ?? `pvc-${String(o.metadata.uid).slice(0, 8)}`,
      o.status?.capacity?.storage ?? o.spec?.resources?.requests?.storage ?? '',
      (o.spec?.accessModes ?? [])
        .map((m: string) => (m === 'ReadWriteOnce' ? 'RWO' : m === 'ReadOnlyMany' ? 'ROX' : m === 'ReadWriteMany' ? 'RWX' : m))
        .join(','),
      o.spec?.storageClassName ?? 'standard',
      '<unset>',
      age(o),
    ],
  },
  events: {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message')],
    row: (o) => [
      o.lastTimestamp ? humanDuration(Date.now() - Date.parse(o.lastTimestamp)) : '<unknown>',
      o.type,
      o.reason,
      `${String(o.involvedObject?.kind ?? '').toLowerCase()}/${o.involvedObject?.name}`,
      o.message,
    ],
  },
};

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export function toTable(
  resource: string,
  objects: K8sObject[],
  listMeta: Record<string, unknown>,
  includeObject: string | null,
  tableVersion: string,
): Record<string, unknown> {
  const t = TABLES[resource] ?? { columns: [NAME, AGE], row: (o: K8sObject) => [o.metadata.name, age(o)] };
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${tableVersion}`,
    metadata: listMeta,
    columnDefinitions: t.columns,
    rows: objects.map((o) => ({
      cells: t.row(o),
      object:
        includeObject === 'None'
          ? undefined
          : includeObject === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}
