import 'server-only';
import { canIAll, type AccessCheck } from '../k8s/access';
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
  return roleAtLeast(role, ACTIONS_ROLE)
    ? undefined
    : `${what} needs the ${ROLE_LABELS[ACTIONS_ROLE]} role or higher; you are signed in as ${ROLE_LABELS[role]}.`;
}

/**
 * What this user may do on an agent: their role first (no cluster call when it already says
 * no), then whether the cluster lets the dashboard patch the Deployment and exec into pods.
 */
export async function agentActionAccess(cluster: Cluster, namespace: string, name: string, role: Role): Promise<AgentActionAccess> {
  const checks = actionAccessChecks(name, role);
  return actionAccessFrom(role, await canIAll(cluster, namespace, checks));
}

/** The cluster questions agentActionAccess asks for this role (none the role already answers). */
export function actionAccessChecks(name: string, role: Role): Partial<Record<'patch' | 'exec', Omit<AccessCheck, 'namespace'>>> {
  return {
    ...(roleReason(role, 'Restarting') ? {} : { patch: { verb: 'patch', resource: 'deployments', group: 'apps', name } }),
    ...(roleReason(role, 'Changing Codex settings') ? {} : { exec: { verb: 'create', resource: 'pods', subresource: 'exec' } }),
  };
}

/** The role's answer, else the cluster's (from the questions actionAccessChecks named). */
export function actionAccessFrom(role: Role, answers: Partial<Record<'patch' | 'exec', Permission>>): AgentActionAccess {
  const restartRole = roleReason(role, 'Restarting');
  const editRole = roleReason(role, 'Changing Codex settings');
  const unanswered = { allowed: false, reason: 'The cluster could not be asked what the dashboard may do.' };
  return {
    restart: restartRole ? { allowed: false, reason: restartRole } : (answers.patch ?? unanswered),
    editConfig: editRole ? { allowed: false, reason: editRole } : (answers.exec ?? unanswered),
  };
}
