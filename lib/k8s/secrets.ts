import 'server-only';
import { withDeadline, type Cluster } from './clusters';
import { toClusterError } from './errors';

/**
 * One value of a Secret, decoded, or null when the Secret or the key is absent. For
 * server-side use only: the value must never reach a page, a log line or an audit entry.
 */
export async function readSecretValue(cluster: Cluster, namespace: string, name: string, key: string): Promise<string | null> {
  try {
    const secret = await withDeadline(
      cluster.core.readNamespacedSecret({ namespace, name }),
      10_000,
      `reading secret ${namespace}/${name}`,
    );
    const raw = secret.data?.[key];
    return raw ? Buffer.from(raw, 'base64').toString('utf8').trim() : null;
  } catch (err) {
    const e = toClusterError(err, `reading secret ${namespace}/${name}`);
    if (e.kind === 'not-found') return null;
    throw e;
  }
}
