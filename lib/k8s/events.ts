import 'server-only';
import { requireListAccess } from './access';
import { agentSelector } from './agents';
import type { Cluster } from './clusters';
import { cachedObjects } from './watch-cache';
import { toClusterError } from './errors';

export interface ClusterEvent {
  type: string;
  reason: string;
  message: string;
  object: string;
  count: number;
  lastSeen: string | null;
}

/** Recent events about a Deployment and its pods, from the watch cache of its namespace. */
export async function listAgentEvents(
  cluster: Cluster,
  namespace: string,
  deployment: string,
  podNames: string[],
): Promise<ClusterEvent[]> {
  try {
    await requireListAccess(cluster, namespace, 'events');
    const items = await cachedObjects(cluster, agentSelector().text, 'events', namespace);
    const names = new Set([deployment, ...podNames]);
    return items
      .filter((e) => names.has(e.involvedObject?.name ?? '') || ownedName(deployment, e.involvedObject?.name ?? ''))
      .map((e) => ({
        type: e.type ?? 'Normal',
        reason: e.reason ?? '',
        message: (e.message ?? '').slice(0, 1000),
        object: `${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''}`,
        count: e.count ?? 1,
        lastSeen: toIso(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp),
      }))
      .sort((a, b) => (b.lastSeen ?? '').localeCompare(a.lastSeen ?? ''))
      .slice(0, 50);
  } catch (err) {
    throw toClusterError(err, `reading events in ${namespace}`);
  }
}

function toIso(v: Date | string | undefined | null): string | null {
  if (!v) return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * ReplicaSets (`<deployment>-<hash>`) and pods (`<deployment>-<hash>-<suffix>`) of this
 * Deployment, including ones already gone; not those of `<deployment>-2` and the like.
 */
export function ownedName(deployment: string, name: string): boolean {
  if (!name.startsWith(`${deployment}-`)) return false;
  return (
    /^[a-z0-9]{6,10}(-[a-z0-9]{5})?$/.test(name.slice(deployment.length + 1)) &&
    /[0-9]/.test(name.slice(deployment.length + 1, deployment.length + 11))
  );
}
