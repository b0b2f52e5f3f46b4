import 'server-only';
import { z } from 'zod';
import type * as k8s from '@kubernetes/client-node';
import { readDocument, updateDocument, type ConfigMapDocument } from '../k8s/configmap-document';
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

function parse(text: string | undefined): NotificationRecord {
  try {
    const parsed = stateSchema.safeParse(JSON.parse(text ?? '{}'));
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

const recordDocument = (t: RecordTarget): ConfigMapDocument<NotificationRecord> => ({
  ...t,
  key: KEY,
  what: 'the notification record',
  parse,
});

export async function readRecord(t: RecordTarget): Promise<{ state: NotificationRecord; resourceVersion: string | null }> {
  const { value, resourceVersion } = await readDocument(recordDocument(t));
  return { state: value, resourceVersion };
}

/** Applies `change` with compare-and-swap (re-read and re-applied on conflict); returns the state written. */
export function updateRecord(t: RecordTarget, change: (state: NotificationRecord) => void): Promise<NotificationRecord> {
  return updateDocument(recordDocument(t), (state) => {
    change(state);
    return bounded(state);
  });
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
