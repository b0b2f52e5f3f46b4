import type { AgentRef } from '@/lib/actions/agent-ref';

/** The agent's route-handler base, e.g. `/api/agents/<cluster>/<ns>/<name>`. */
export function agentApiPath(ref: AgentRef): string {
  return `/api/agents/${encodeURIComponent(ref.clusterId)}/${encodeURIComponent(ref.namespace)}/${encodeURIComponent(ref.name)}`;
}
