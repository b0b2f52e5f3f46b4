import 'server-only';
import { randomBytes } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../k8s/clusters';
import { asDashboard } from '../k8s/impersonation';
import { AUDIT_SIGNATURE_ANNOTATION, auditSigningKey, signAuditEntry } from './signature';

/** One thing someone did through the dashboard. Never holds a secret, token or device code. */
export interface ActivityEntry {
  /** Who: the signed-in user's name (e-mail for OIDC users) and role. */
  user: { name: string; email: string | null; role: string };
  /** What, as a stable verb: `restart`, `approval-mode`, `feature`, `login-start`, `resend`, ... */
  action: string;
  /** Which agent: cluster context, namespace, Deployment. */
  agent: { cluster: string; namespace: string; name: string };
  before?: unknown;
  after?: unknown;
  result: 'success' | 'failure' | 'started' | 'cancelled';
  /** Plain-words detail of the result (the error for a failure). */
  detail?: string;
}

/** The Event reason the dashboard writes; the agent page lists its history by it. */
export const AUDIT_EVENT_REASON = 'OpenABDashboardAction';
export const AUDIT_COMPONENT = 'openab-dashboard';
/** The Event annotation that holds the entry itself (JSON: user, action, result, before, after, at, id). */
export const AUDIT_RECORD_ANNOTATION = 'openab.dev/audit';

function short(value: unknown): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

/** The message up to its detail: who, what, result, before and after (the history reads the detail back after it). */
export function auditMessageHead(
  entry: Pick<ActivityEntry, 'action' | 'before' | 'after'> & { result: string; user: { name: string; role: string } },
) {
  const parts = [`${entry.user.name} (${entry.user.role}): ${entry.action} ${entry.result}`];
  if (entry.before !== undefined || entry.after !== undefined)
    parts.push(`from ${short(entry.before) || '-'} to ${short(entry.after) || '-'}`);
  return parts.join('; ');
}

export function auditMessage(entry: ActivityEntry): string {
  const head = auditMessageHead(entry);
  return (entry.detail ? `${head}; ${short(entry.detail)}` : head).slice(0, 1000);
}

/**
 * The Event that records an entry: on the agent's Deployment, with the entry in an annotation
 * and signed (see signature.ts) over everything the pages show of it, so an Event written by
 * anyone else with the same reason reads back as unverified.
 */
export function auditEvent(clusterId: string, entry: ActivityEntry, at: Date, key: Buffer | null): k8s.CoreV1Event {
  const { namespace, name } = entry.agent;
  // `at` to the millisecond and an id: the Event's own timestamps have whole seconds and may
  // be edited by whoever may update Events; a copied entry shows up by its id.
  const record = JSON.stringify({
    user: entry.user,
    action: entry.action,
    result: entry.result,
    before: entry.before,
    after: entry.after,
    at: at.toISOString(),
    id: randomBytes(12).toString('hex'),
  }).slice(0, 4000);
  const message = auditMessage(entry);
  const type = entry.result === 'failure' ? 'Warning' : 'Normal';
  const annotations: Record<string, string> = { [AUDIT_RECORD_ANNOTATION]: record };
  if (key)
    annotations[AUDIT_SIGNATURE_ANNOTATION] = signAuditEntry(
      { cluster: clusterId, namespace, deployment: name, record, message, type },
      key,
    );
  return {
    metadata: { generateName: `${name}.`, namespace, labels: { 'app.kubernetes.io/managed-by': AUDIT_COMPONENT }, annotations },
    involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name, namespace },
    reason: AUDIT_EVENT_REASON,
    message,
    type,
    source: { component: AUDIT_COMPONENT },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}

/**
 * Records an action twice: as a JSON log line (the dashboard's own log, for log shippers) and
 * as a signed Kubernetes Event on the agent's Deployment (so `kubectl describe` and the agent
 * page show it). Recording never makes the action fail: a refused Event is logged, not thrown.
 */
export async function logActivity(cluster: Cluster, entry: ActivityEntry): Promise<void> {
  const at = new Date();
  console.log(JSON.stringify({ level: 'info', msg: 'audit', time: at.toISOString(), ...entry }));
  try {
    // The dashboard's own record: written with its identity even in impersonation mode (the
    // person's own call already appears in the cluster's audit log under their name).
    await asDashboard(() =>
      cluster.core.createNamespacedEvent({ namespace: entry.agent.namespace, body: auditEvent(cluster.id, entry, at, auditSigningKey()) }),
    );
  } catch (err) {
    console.error(
      JSON.stringify({ level: 'error', msg: 'audit event not recorded', agent: entry.agent, error: (err as Error).message?.slice(0, 300) }),
    );
  }
}
