import type { AgentPanelProps } from '@/components/agents/panel-props';
import { getAgentAccess, getAgentRollout, getAgentView } from '@/lib/fleet/agent-detail';
import { locateAgent } from '@/lib/k8s/locator';
import { readApprovalForm, type CurrentMode } from '@/lib/operations/approval-mode';
import { isApprovalMode } from '@/lib/codex/approval-modes';
import type { RolloutStatus } from '@/lib/k8s/rollout';
import { ActionsBoard, type AgentSettings } from './actions-board';

/** A finished restart stays on show this long, so a reload right after it still tells how it ended. */
const RECENT_RESTART_MS = 3 * 60_000;

/**
 * The agent's actions. Restart needs only the Deployment and one access question, so it shows
 * at once; the settings (approval form, features) need the pod and arrive when it answers.
 */
export async function AgentActionsPanel({ clusterId, namespace, name, user }: AgentPanelProps) {
  const ref = { clusterId, namespace, name };
  const [access, rollout, located] = await Promise.all([
    getAgentAccess(clusterId, namespace, name, user.role),
    getAgentRollout(clusterId, namespace, name).catch((): RolloutStatus | null => null),
    locateAgent(ref),
  ]);
  const recent = rollout?.restartedAt && Date.now() - Date.parse(rollout.restartedAt) < RECENT_RESTART_MS;
  return (
    <ActionsBoard
      agent={ref}
      strategy={located.workload.strategy}
      access={access}
      rollout={rollout && (!rollout.done || recent) ? rollout : null}
      settings={readSettings(clusterId, namespace, name, access.editConfig.allowed)}
    />
  );
}

async function readSettings(clusterId: string, namespace: string, name: string, mayEdit: boolean): Promise<AgentSettings> {
  const agent = await getAgentView(clusterId, namespace, name);
  // A value from OpenAB's guide that stops Codex is what the approval form repairs: it stays open.
  const repairable = agent.probe?.approval.ok && agent.probe.approval.guideMistake?.kind === 'invalid-policy';
  const settingsProblem =
    agent.problem ??
    (agent.probe?.codexError && !repairable
      ? `Codex cannot start with this configuration, so its settings cannot be changed here: fix config.toml first.`
      : null);
  // The form's file is read only for someone who may change it (one exec, and its hash).
  const approval = mayEdit && !settingsProblem ? await readApprovalForm({ clusterId, namespace, name }) : null;
  const probed = agent.probe?.approval.ok ? agent.probe.approval.mode : null;
  const probedMode: CurrentMode | null = isApprovalMode(probed) || probed === 'custom' || probed === 'default' ? probed : null;
  return { approval, probedMode, features: agent.probe?.features ?? null, settingsProblem };
}
