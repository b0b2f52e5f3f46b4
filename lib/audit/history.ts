import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import { withDeadline, type Cluster } from '../k8s/clusters';
import { toClusterError } from '../k8s/errors';
import { AUDIT_EVENT_REASON } from './log-activity';

/** One recorded dashboard action, as the agent page lists it. */
export interface HistoryEntry {
  at: string | null;
  user: string;
  role: string | null;
  action: string;
  result: string;
  before?: unknown;
  after?: unknown;
  /** The Event's message: who, what, before and after, result, in one line. */
  message: string;
  warning: boolean;
  /** Orders entries written within the same second (the API's timestamps have whole seconds). */
  sequence: number;
}

function iso(v: Date | string | undefined | null): string | null {
  if (!v) return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Reads back what logActivity wrote on an Event; tolerant of Events written by hand. */
export function historyEntryOf(e: k8s.CoreV1Event): HistoryEntry {
  let data: { user?: { name?: unknown; role?: unknown }; action?: unknown; result?: unknown; before?: unknown; after?: unknown } = {};
  try {
    data = JSON.parse(e.metadata?.annotations?.['openab.dev/audit'] ?? '{}');
  } catch {
    data = {};
  }
  const message = (e.message ?? '').slice(0, 1000);
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : null);
  return {
    at: iso(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp),
    user: str(data.user?.name) ?? (/^([^(:]+)/.exec(message)?.[1]?.trim() || 'unknown'),
    role: str(data.user?.role),
    action: str(data.action) ?? 'action',
    result: str(data.result) ?? (e.type === 'Warning' ? 'failure' : 'success'),
    before: data.before,
    after: data.after,
    message,
    warning: e.type === 'Warning',
    sequence: Number(e.metadata?.resourceVersion) || 0,
  };
}

/** The dashboard's own Events on one Deployment, newest first. */
export async function listAgentHistory(cluster: Cluster, namespace: string, deployment: string, limit = 50): Promise<HistoryEntry[]> {
  try {
    const res = await withDeadline(cluster.core.listNamespacedEvent({ namespace }), 10_000, `reading the history of ${namespace}/${deployment}`);
    return (res.items as k8s.CoreV1Event[])
      .filter((e) => e.reason === AUDIT_EVENT_REASON && e.involvedObject?.kind === 'Deployment' && e.involvedObject?.name === deployment)
      .map(historyEntryOf)
      .sort((a, b) => (b.at ?? '').localeCompare(a.at ?? '') || b.sequence - a.sequence)
      .slice(0, limit);
  } catch (err) {
    throw toClusterError(err, `reading the history of ${namespace}/${deployment}`);
  }
}
