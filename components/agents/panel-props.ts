import type { FleetAgent } from '@/lib/fleet/fleet';
import type { Role } from '@/lib/auth/roles';

/** What the agent page hands to each feature's panel (all serialisable). */
export interface AgentPanelProps {
  clusterId: string;
  namespace: string;
  name: string;
  user: { name: string; role: Role };
  agent: FleetAgent;
}
