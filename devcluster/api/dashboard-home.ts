// The dashboard's own namespace, as a real install has it: where its service account lives, and
// where it keeps the session list every replica shares (a ConfigMap it creates on first use).
// The rules are what the Helm chart's Role in its release namespace grants (charts/openab-dashboard).
import type { PolicyBinding } from './rbac';

export const DASHBOARD_NAMESPACE = 'openab-dashboard';
export const SESSION_STORE_NAME = 'openab-dashboard-sessions';

export function dashboardHomeBinding(): PolicyBinding {
  return {
    subjects: [{ kind: 'ServiceAccount', name: 'openab-dashboard', namespace: DASHBOARD_NAMESPACE }],
    namespace: DASHBOARD_NAMESPACE,
    rules: [
      { verbs: ['get', 'update'], apiGroups: [''], resources: ['configmaps'], resourceNames: [SESSION_STORE_NAME] },
      { verbs: ['create'], apiGroups: [''], resources: ['configmaps', 'events'] },
    ],
  };
}
