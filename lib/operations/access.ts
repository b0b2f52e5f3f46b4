import 'server-only';
import { canI } from '../k8s/access';
import type { Cluster } from '../k8s/clusters';
import { roleAtLeast, ROLE_LABELS, type Role } from '../auth/roles';

export interface Permission {
  allowed: boolean;
  /** Why not, in words: the user's role, or the cluster's answer. */
  reason?: string;
}

export interface AgentActionAccess {
  restart: Permission;
  /** Approval mode and feature flags: both change files in the pod through exec. */
  editConfig: Permission;
}

const ACTIONS_ROLE: Role = 'operator';

export function roleReason(role: Role, what: string): string | undefined {
  return roleAtLeast(role, ACTIONS_ROLE) ? undefined : `${what} needs the ${ROLE_LABELS[ACTIONS_ROLE]} role or higher; you are signed in as ${ROLE_LABELS[role]}.`;
}

/**
 * What this user may do on an agent: their role first (no cluster call when it already says
 * no), then whether the cluster lets the dashboard patch the Deployment and exec into pods.
 */
export async function agentActionAccess(cluster: Cluster, namespace: string, name: string, role: Role): Promise<AgentActionAccess> {
  const restartRole = roleReason(role, 'Restarting');
  const editRole = roleReason(role, 'Changing Codex settings');
  const [patch, exec] = await Promise.all([
    restartRole ? null : canI(cluster, { namespace, verb: 'patch', resource: 'deployments', group: 'apps', name }),
    editRole ? null : canI(cluster, { namespace, verb: 'create', resource: 'pods', subresource: 'exec' }),
  ]);
  return {
    restart: restartRole ? { allowed: false, reason: restartRole } : patch!,
    editConfig: editRole ? { allowed: false, reason: editRole } : exec!,
  };
}
