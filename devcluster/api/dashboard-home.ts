// The dashboard's own namespace, as a real install has it: where its service account lives, and
// where it keeps the session list every replica shares (a ConfigMap it creates on first use).
// The rules are what the Helm chart's Role in its release namespace grants (charts/openab-dashboard).
import type { PolicyBinding } from './rbac';

export const DASHBOARD_NAMESPACE = 'openab-dashboard';
export const SESSION_STORE_NAME = 'openab-dashboard-sessions';
/** The notifier's Lease and its record of what was sent (lib/notifications). */
export const NOTIFIER_LEASE_NAME = 'openab-dashboard-notifier';
export const NOTIFIER_RECORD_NAME = 'openab-dashboard-notifications';

export function dashboardHomeBinding(): PolicyBinding {
  return {
    subjects: [{ kind: 'ServiceAccount', name: 'openab-dashboard', namespace: DASHBOARD_NAMESPACE }],
    namespace: DASHBOARD_NAMESPACE,
    rules: [
      { verbs: ['get', 'update'], apiGroups: [''], resources: ['configmaps'], resourceNames: [SESSION_STORE_NAME, NOTIFIER_RECORD_NAME] },
      { verbs: ['create'], apiGroups: [''], resources: ['configmaps', 'events'] },
      { verbs: ['get', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [NOTIFIER_LEASE_NAME] },
      { verbs: ['create'], apiGroups: ['coordination.k8s.io'], resources: ['leases'] },
    ],
  };
}
