import type { AgentPanelProps } from '@/components/agents/panel-props';
import { Section } from '@/components/ui/section';
import { getCluster } from '@/lib/k8s/clusters';
import { agentActionAccess, type AgentActionAccess } from '@/lib/operations/access';
import { readApprovalForm, type ApprovalFormState } from '@/lib/operations/approval-mode';
import { agentRolloutStatus } from '@/lib/operations/restart';
import type { RolloutStatus } from '@/lib/k8s/rollout';
import { ActionsBoard } from './actions-board';

/** A finished restart stays on show this long, so a reload right after it still tells how it ended. */
const RECENT_RESTART_MS = 3 * 60_000;

export async function AgentActionsPanel({ clusterId, namespace, name, user, agent }: AgentPanelProps) {
  const ref = { clusterId, namespace, name };
  let access: AgentActionAccess;
  try {
    access = await agentActionAccess(getCluster(clusterId), namespace, name, user.role);
  } catch {
    const no = { allowed: false, reason: 'The cluster could not be asked what the dashboard may do.' };
    access = { restart: no, editConfig: no };
  }
  // A value from OpenAB's guide that stops Codex is what the approval form repairs: it stays open.
  const repairable = agent.probe?.approval.ok && agent.probe.approval.guideMistake?.kind === 'invalid-policy';
  const settingsProblem = agent.problem ?? (agent.probe?.codexError && !repairable ? `Codex cannot start with this configuration, so its settings cannot be changed here: fix config.toml first.` : null);
  const [rollout, approval] = await Promise.all([
    agentRolloutStatus(ref).catch((): RolloutStatus | null => null),
    // The form's file is read only for someone who may change it (one exec, and its hash).
    access.editConfig.allowed && !settingsProblem ? readApprovalForm(ref) : Promise.resolve<ApprovalFormState | null>(null),
  ]);
  const recent = rollout?.restartedAt && Date.now() - Date.parse(rollout.restartedAt) < RECENT_RESTART_MS;
  return (
    <Section title="Actions">
      <ActionsBoard
        agent={ref}
        strategy={agent.workload.strategy}
        access={access}
        rollout={rollout && (!rollout.done || recent) ? rollout : null}
        approval={approval}
        features={agent.probe?.features ?? null}
        settingsProblem={settingsProblem}
      />
    </Section>
  );
}
