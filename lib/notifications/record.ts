// rbac: the dashboard's own namespace (charts/openab-dashboard/tests/code-permissions.ts reads this marker)
import 'server-only';
import { z } from 'zod';
import type * as k8s from '@kubernetes/client-node';
import { withDeadline } from '../k8s/clusters';
import { toClusterError } from '../k8s/errors';
import { asDashboard } from '../k8s/impersonation';
import type { NotificationEvent } from './events';

/**
 * What the notifier found and sent, kept in one ConfigMap in the dashboard's own namespace so a
 * restart or another replica taking over does not send it again:
 * - pending: events found but not yet accepted by every webhook (a new leader sends these);
 * - sent: keys of events every webhook accepted, with the time (the oldest are dropped past SENT_MAX);
 * - fullAccess: since when each agent has been seen in Full access (a switch back clears it).
 * Written with compare-and-swap on the resourceVersion.
 */
const KEY = 'notifications.json';
export const SENT_MAX = 3000;
export const PENDING_MAX = 500;

const agentSchema = z.object({ clusterId: z.string(), namespace: z.string(), name: z.string() });
const eventSchema = z.object({
  key: z.string(),
  type: z.enum(['login-expired', 'login-expiring', 'crash-loop', 'delivery-failed', 'full-access']),
  agent: agentSchema,
  at: z.string(),
  message: z.string(),
});
const stateSchema = z.object({
  pending: z.record(z.string(), z.object({ event: eventSchema, done: z.array(z.string()).default([]) })).default({}),
  sent: z.record(z.string(), z.number()).default({}),
  fullAccess: z.record(z.string(), z.string()).default({}),
});
export type NotificationRecord = z.infer<typeof stateSchema>;

export interface RecordTarget {
  core: k8s.CoreV1Api;
  namespace: string;
  name: string;
}

function parse(data: Record<string, string> | undefined): NotificationRecord {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(data?.[KEY] ?? '{}'));
    if (parsed.success) return parsed.data;
  } catch {
    // A damaged record reads as empty: at worst events are sent again, never lost.
  }
  return { pending: {}, sent: {}, fullAccess: {} };
}

/** Keeps the record within its bounds: the oldest sent keys go first. */
function bounded(state: NotificationRecord): NotificationRecord {
  const sent = Object.entries(state.sent);
  if (sent.length > SENT_MAX) state.sent = Object.fromEntries(sent.sort((a, b) => a[1] - b[1]).slice(sent.length - SENT_MAX));
  return state;
}

export async function readRecord(t: RecordTarget): Promise<{ state: NotificationRecord; resourceVersion: string | null }> {
  try {
    const cm = await asDashboard(() =>
      withDeadline(t.core.readNamespacedConfigMap({ namespace: t.namespace, name: t.name }), 5_000, 'reading the notification record'),
    );
    return { state: parse(cm.data), resourceVersion: cm.metadata?.resourceVersion ?? null };
  } catch (err) {
    const e = toClusterError(err, `reading ConfigMap ${t.namespace}/${t.name}`);
    if (e.kind === 'not-found') return { state: parse(undefined), resourceVersion: null };
    throw e;
  }
}

/** Applies `change` with compare-and-swap (re-read and re-applied on conflict); returns the state written. */
export async function updateRecord(t: RecordTarget, change: (state: NotificationRecord) => void): Promise<NotificationRecord> {
  const { core, namespace, name } = t;
  for (let attempt = 0; ; attempt++) {
    const { state, resourceVersion } = await readRecord(t);
    change(state);
    const next = bounded(state);
    const body = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'openab-dashboard' },
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      data: { [KEY]: JSON.stringify(next) },
    };
    try {
      await asDashboard(() =>
        withDeadline(
          resourceVersion
            ? core.replaceNamespacedConfigMap({ namespace, name, body })
            : core.createNamespacedConfigMap({ namespace, body }),
          5_000,
          'saving the notification record',
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

/** Adds newly found events to pending (those already sent or pending are left alone). */
export function addPending(state: NotificationRecord, events: NotificationEvent[]): number {
  let added = 0;
  for (const ev of events) {
    if (state.sent[ev.key] !== undefined || state.pending[ev.key]) continue;
    if (Object.keys(state.pending).length >= PENDING_MAX) break;
    state.pending[ev.key] = { event: ev, done: [] };
    added++;
  }
  return added;
}
