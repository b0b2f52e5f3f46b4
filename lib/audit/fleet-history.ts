import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import { getClusters, withDeadline, type Cluster } from '../k8s/clusters';
import { toClusterError } from '../k8s/errors';
import { getSettings } from '../settings';
import { historyEntryOf } from './history';
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
              const h = historyEntryOf(e);
              return {
                at: h.at,
                cluster: cluster.id,
                namespace: e.involvedObject?.namespace ?? e.metadata?.namespace ?? ns ?? '',
                agent: e.involvedObject!.name!,
                user: h.user,
                role: h.role,
                action: h.action,
                result: h.result,
                before: h.before,
                after: h.after,
                message: h.message,
                sequence: h.sequence,
              };
            });
        } catch (err) {
          errors.push((err as Error).message);
          return [];
        }
      }),
    ),
  );
  const entries = lists
    .flat()
    .sort((a, b) => (b.at ?? '').localeCompare(a.at ?? '') || b.sequence - a.sequence)
    .slice(0, opts.limit ?? 5_000);
  return { entries, errors };
}
