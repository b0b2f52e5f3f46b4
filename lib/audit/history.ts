import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import { withDeadline, type Cluster } from '../k8s/clusters';
import { toClusterError } from '../k8s/errors';
import { AUDIT_EVENT_REASON, AUDIT_RECORD_ANNOTATION, auditMessageHead } from './log-activity';
import { AUDIT_SIGNATURE_ANNOTATION, auditSigningKey, UNVERIFIED, verifyAuditEntry } from './signature';

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
  /** What the message adds after who, what and the change (an error, a message id), when it can be told apart. */
  detail: string | null;
  warning: boolean;
  /** Orders entries written within the same second (the API's timestamps have whole seconds). */
  sequence: number;
  /** Whether the dashboard signed this entry as it reads now (see signature.ts). */
  verified: boolean;
  /** Why it is not verified, in plain words; null when it is. */
  unverified: string | null;
  /** The id the dashboard gave the entry, when it has one. */
  id: string | null;
}

function iso(v: Date | string | undefined | null): string | null {
  if (!v) return null;
  const d = v instanceof Date ? v : new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * Reads back what logActivity wrote on an Event of cluster `clusterId`, and checks its
 * signature; an Event written by hand is read as well as it can be, and marked unverified.
 */
export function historyEntryOf(e: k8s.CoreV1Event, clusterId: string, key: Buffer | null = auditSigningKey()): HistoryEntry {
  const record = e.metadata?.annotations?.[AUDIT_RECORD_ANNOTATION] ?? '';
  let data: {
    user?: { name?: unknown; role?: unknown };
    action?: unknown;
    result?: unknown;
    before?: unknown;
    after?: unknown;
    at?: unknown;
    id?: unknown;
  } = {};
  try {
    data = JSON.parse(record || '{}');
  } catch {
    data = {};
  }
  const message = (e.message ?? '').slice(0, 1000);
  const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : null);
  const check = verifyAuditEntry(
    {
      cluster: clusterId,
      namespace: e.metadata?.namespace ?? '',
      deployment: e.involvedObject?.name ?? '',
      record,
      message: e.message ?? '',
      type: e.type ?? '',
    },
    e.metadata?.annotations?.[AUDIT_SIGNATURE_ANNOTATION],
    key,
  );
  const eventTime = iso(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp);
  const user = str(data.user?.name) ?? (/^([^(:]+)/.exec(message)?.[1]?.trim() || 'unknown');
  const role = str(data.user?.role);
  const action = str(data.action) ?? 'action';
  const result = str(data.result) ?? (e.type === 'Warning' ? 'failure' : 'success');
  const head = role
    ? `${auditMessageHead({ user: { name: user, role }, action, result, before: data.before, after: data.after })}; `
    : null;
  return {
    // A signed entry's own time: the Event's timestamps may be edited by whoever may update Events.
    at: (check.verified && iso(str(data.at))) || eventTime,
    user,
    role,
    action,
    result,
    before: data.before,
    after: data.after,
    message,
    detail: head && message.startsWith(head) ? message.slice(head.length) || null : null,
    warning: e.type === 'Warning',
    sequence: Number(e.metadata?.resourceVersion) || 0,
    verified: check.verified,
    unverified: check.verified ? null : check.reason,
    id: check.verified ? str(data.id) : null,
  };
}

/**
 * Newest first; a signed entry that appears more than once (an Event copied whole) counts
 * once: the oldest copy stays verified, the others are marked as copies.
 */
export function orderHistory<T extends Pick<HistoryEntry, 'at' | 'sequence' | 'verified' | 'unverified' | 'id'>>(entries: T[]): T[] {
  const seen = new Set<string>();
  const oldestFirst = [...entries].sort((a, b) => (a.at ?? '').localeCompare(b.at ?? '') || a.sequence - b.sequence);
  const out = oldestFirst.map((e) => {
    if (!e.verified || !e.id) return e;
    if (!seen.has(e.id)) {
      seen.add(e.id);
      return e;
    }
    return { ...e, verified: false, unverified: UNVERIFIED.copy };
  });
  return out.reverse();
}

/** The dashboard's own Events on one Deployment, newest first. */
export async function listAgentHistory(cluster: Cluster, namespace: string, deployment: string, limit = 50): Promise<HistoryEntry[]> {
  try {
    const res = await withDeadline(
      cluster.core.listNamespacedEvent({ namespace }),
      10_000,
      `reading the history of ${namespace}/${deployment}`,
    );
    const entries = (res.items as k8s.CoreV1Event[])
      .filter((e) => e.reason === AUDIT_EVENT_REASON && e.involvedObject?.kind === 'Deployment' && e.involvedObject?.name === deployment)
      .map((e) => historyEntryOf(e, cluster.id));
    return orderHistory(entries).slice(0, limit);
  } catch (err) {
    throw toClusterError(err, `reading the history of ${namespace}/${deployment}`);
  }
}
