import 'server-only';
import type { Cluster } from '../k8s/clusters';
import { asDashboard } from '../k8s/impersonation';

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

function short(value: unknown): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

export function auditMessage(entry: ActivityEntry): string {
  const parts = [`${entry.user.name} (${entry.user.role}): ${entry.action} ${entry.result}`];
  if (entry.before !== undefined || entry.after !== undefined) parts.push(`from ${short(entry.before) || '-'} to ${short(entry.after) || '-'}`);
  if (entry.detail) parts.push(short(entry.detail));
  return parts.join('; ').slice(0, 1000);
}

/**
 * Records an action twice: as a JSON log line (the dashboard's own log, for log shippers) and
 * as a Kubernetes Event on the agent's Deployment (so `kubectl describe` and the agent page
 * show it). Recording never makes the action fail: a refused Event is logged, not thrown.
 */
export async function logActivity(cluster: Cluster, entry: ActivityEntry): Promise<void> {
  const at = new Date();
  console.log(JSON.stringify({ level: 'info', msg: 'audit', time: at.toISOString(), ...entry }));
  try {
    // The dashboard's own record: written with its identity even in impersonation mode (the
    // person's own call already appears in the cluster's audit log under their name).
    await asDashboard(() => cluster.core.createNamespacedEvent({
      namespace: entry.agent.namespace,
      body: {
        metadata: { generateName: `${entry.agent.name}.`, namespace: entry.agent.namespace, labels: { 'app.kubernetes.io/managed-by': AUDIT_COMPONENT } , annotations: { 'openab.dev/audit': JSON.stringify({ user: entry.user, action: entry.action, result: entry.result, before: entry.before, after: entry.after }).slice(0, 4000) } },
        involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: entry.agent.name, namespace: entry.agent.namespace },
        reason: AUDIT_EVENT_REASON,
        message: auditMessage(entry),
        type: entry.result === 'failure' ? 'Warning' : 'Normal',
        source: { component: AUDIT_COMPONENT },
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
      },
    }));
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', msg: 'audit event not recorded', agent: entry.agent, error: (err as Error).message?.slice(0, 300) }));
  }
}
