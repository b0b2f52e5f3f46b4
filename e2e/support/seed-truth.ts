// The seeded truth of the demo fleet, as the dev cluster seeded it (it writes it beside its
// state), so the tests compare the dashboard against what is really in the pods.
import type { SeedAgent } from '../../devcluster/seed/types';
import { e2eState } from './env';

export async function seededAgents(): Promise<SeedAgent[]> {
  const agents = e2eState().cluster.seed?.agents;
  if (!agents?.length) throw new Error('the dev cluster state holds no seed truth');
  return agents;
}

export const APPROVAL_LABEL: Record<string, string> = {
  manual: 'Manual',
  'auto-review': 'Auto-review',
  'full-access': 'Full access',
  custom: 'Custom',
  // The mode Codex applies (none set), then the flag on the guide's ignored table.
  'guide-sandbox': 'Default (Codex decides)[sandbox] ignored by Codex: this agent is not on Auto-review',
};
