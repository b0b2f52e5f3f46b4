import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import { getClusters, withDeadline, type Cluster } from '../k8s/clusters';
import { toClusterError } from '../k8s/errors';
import { getSettings } from '../settings';
import { historyEntryOf, orderHistory } from './history';
import { AUDIT_EVENT_REASON } from './log-activity';
import type { AuditEntry } from './export';

export interface AuditListing {
  entries: AuditEntry[];
  /** One plain sentence per cluster or namespace that could not be read. */
  errors: string[];
}

async function eventsOf(cluster: Cluster, namespace: string | null): Promise<k8s.CoreV1Event[]> {
  const where = namespace ? `namespace ${namespace} of ${cluster.label}` : cluster.label;
  try {
    const res = await withDeadline(
      namespace ? cluster.core.listNamespacedEvent({ namespace }) : cluster.core.listEventForAllNamespaces({}),
      10_000,
      `reading the dashboard's Events in ${where}`,
    );
    return res.items as k8s.CoreV1Event[];
  } catch (err) {
    throw toClusterError(err, `reading the dashboard's Events in ${where}`);
  }
}

/**
 * Every action recorded by the dashboard (its Events on Deployments) across the watched
 * namespaces of every cluster, newest first. A cluster or namespace that fails is reported,
 * not fatal. Events expire (one hour by default), so this is recent history only.
 */
export async function listFleetHistory(opts: { limit?: number } = {}): Promise<AuditListing> {
  const errors: string[] = [];
  let clusters: Cluster[] = [];
  try {
    clusters = getClusters();
  } catch (err) {
    return { entries: [], errors: [(err as Error).message] };
  }
  const scopes = getSettings().namespaces ?? [null];
  const lists = await Promise.all(
    clusters.flatMap((cluster) =>
      scopes.map(async (ns) => {
        try {
          return (await eventsOf(cluster, ns))
            .filter((e) => e.reason === AUDIT_EVENT_REASON && e.involvedObject?.kind === 'Deployment' && e.involvedObject?.name)
            .map((e): AuditEntry => {
              const h = historyEntryOf(e, cluster.id);
              // The Event's own namespace (set by the API server from the URL) is the one signed.
              return {
                ...h,
                cluster: cluster.id,
                namespace: e.metadata?.namespace ?? e.involvedObject?.namespace ?? ns ?? '',
                agent: e.involvedObject!.name!,
              };
            });
        } catch (err) {
          errors.push((err as Error).message);
          return [];
        }
      }),
    ),
  );
  const entries = orderHistory(lists.flat()).slice(0, opts.limit ?? 5_000);
  return { entries, errors };
}
