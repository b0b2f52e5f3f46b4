import type { Role } from '@/lib/auth/roles';

/**
 * What the agent page hands to each feature's panel (all serialisable). A panel reads what it
 * needs itself (lib/fleet/agent-detail.ts, read once per render), so each streams on its own.
 */
export interface AgentPanelProps {
  clusterId: string;
  namespace: string;
  name: string;
  user: { name: string; role: Role };
}
