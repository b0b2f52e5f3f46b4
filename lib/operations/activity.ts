import 'server-only';
import { logActivity, type ActivityEntry } from '../audit/log-activity';
import type { Cluster } from '../k8s/clusters';
import type { AgentRef } from './agent-ref';

export interface Actor {
  name: string;
  email: string | null;
  role: string;
}

/** One audit entry for an action on an agent. */
export function record(cluster: Cluster, actor: Actor, ref: AgentRef, entry: Omit<ActivityEntry, 'user' | 'agent'>): Promise<void> {
  return logActivity(cluster, {
    user: { name: actor.name, email: actor.email, role: actor.role },
    agent: { cluster: ref.clusterId, namespace: ref.namespace, name: ref.name },
    ...entry,
  });
}
