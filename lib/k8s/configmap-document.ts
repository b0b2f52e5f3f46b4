// rbac: the dashboard's own namespace (charts/openab-dashboard/tests/code-permissions.ts reads this marker)
import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import { withDeadline } from './clusters';
import { toClusterError } from './errors';
import { asDashboard } from './impersonation';

/**
 * A JSON document under one key of a ConfigMap in the dashboard's own namespace, shared by every
 * replica (the session list, the notifier's record). Read and written as the dashboard, never as
 * the signed-in person; written with compare-and-swap on the resourceVersion so replicas writing
 * at once keep each other's changes.
 */
export interface ConfigMapDocument<T> {
  core: k8s.CoreV1Api;
  namespace: string;
  name: string;
  key: string;
  /** What the document is, for messages ("the session list"). */
  what: string;
  /** The document from the key's text (undefined: no ConfigMap or no key); never throws. */
  parse(text: string | undefined): T;
}

export async function readDocument<T>(doc: ConfigMapDocument<T>): Promise<{ value: T; resourceVersion: string | null }> {
  const { core, namespace, name } = doc;
  try {
    const cm = await asDashboard(() => withDeadline(core.readNamespacedConfigMap({ namespace, name }), 5_000, `reading ${doc.what}`));
    return { value: doc.parse(cm.data?.[doc.key]), resourceVersion: cm.metadata?.resourceVersion ?? null };
  } catch (err) {
    const e = toClusterError(err, `reading ConfigMap ${namespace}/${name}`);
    if (e.kind === 'not-found') return { value: doc.parse(undefined), resourceVersion: null };
    throw e;
  }
}

/**
 * Reads the document, writes what `change` makes of it, and on a conflict (another replica wrote
 * in between, or created the ConfigMap first) reads again and reapplies; returns what was written.
 */
export async function updateDocument<T>(doc: ConfigMapDocument<T>, change: (current: T) => T): Promise<T> {
  const { core, namespace, name } = doc;
  for (let attempt = 0; ; attempt++) {
    const { value, resourceVersion } = await readDocument(doc);
    const next = change(value);
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'openab-dashboard' },
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      data: { [doc.key]: JSON.stringify(next) },
    };
    try {
      await asDashboard(() =>
        withDeadline(
          resourceVersion
            ? core.replaceNamespacedConfigMap({ namespace, name, body })
            : core.createNamespacedConfigMap({ namespace, body }),
          5_000,
          `saving ${doc.what}`,
        ),
      );
      return next;
    } catch (err) {
      const e = toClusterError(err, `saving ConfigMap ${namespace}/${name}`);
      if (attempt < 5 && e.kind === 'conflict') continue;
      throw e;
    }
  }
}
