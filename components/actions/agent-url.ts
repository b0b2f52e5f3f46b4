import type { AgentRef } from '@/lib/operations/agent-ref';
import { agentPath } from '@/lib/url-params';

/** The agent's route-handler base, e.g. `/api/agents/<cluster>/<ns>/<name>`. */
export function agentApiPath(ref: AgentRef): string {
  return `/api${agentPath(ref)}`;
}
