import type { AgentPanelProps } from '@/components/agents/panel-props';
import { Section } from '@/components/ui/section';
import { RelativeTime } from '@/components/ui/relative-time';
import { getCluster } from '@/lib/k8s/clusters';
import { getAgentAccess, getAgentView } from '@/lib/fleet/agent-detail';
import { locateAgent } from '@/lib/k8s/locator';
import { roleReason } from '@/lib/operations/access';
import { approvalCheck, imageGenerationCheck, orderItems, overallStatus, CHECK_COSTS } from '@/lib/readiness/checks';
import { serverReadiness } from '@/lib/readiness/service';
import { SkillsList } from '@/components/skills/skills-list';
import { ReadinessChecklist } from './readiness-checklist';
import { InstallSkillButton } from './install-skill-button';
import { StatusBadge } from './status-badge';

/** Coalesces the page's renders (a refresh right after an action) without going stale. */
const PAGE_POD_FACTS_MS = 2_000;

/** Would an image made now reach Discord? The agent page's checklist, with the fixes it can make. */
export async function ReadinessPanel({ clusterId, namespace, name, user }: AgentPanelProps) {
  const cluster = getCluster(clusterId);
  const [agent, { deployment }] = await Promise.all([
    getAgentView(clusterId, namespace, name),
    locateAgent({ clusterId, namespace, name }),
  ]);
  const server = await serverReadiness(
    {
      cluster,
      namespace,
      name,
      deployment,
      pod: agent.pod ? { name: agent.pod.name, uid: agent.pod.uid } : null,
      podProblem: agent.problem,
    },
    { podFactsMaxAgeMs: PAGE_POD_FACTS_MS },
  );
  const items = orderItems([
    imageGenerationCheck(agent.probe, agent.problem),
    approvalCheck(agent.probe?.approval, agent.probe),
    ...server.items,
  ]);
  const overall = overallStatus(items);
  const byRole = roleReason(user.role, 'Installing the delivery skill');
  const install = byRole
    ? { allowed: false, reason: byRole }
    : !agent.pod || agent.problem
      ? { allowed: false, reason: `The agent's pod must be running: ${agent.problem ?? 'no pod'}.` }
      : await getAgentAccess(clusterId, namespace, name, user.role).then(({ exec }) => ({
          allowed: exec.allowed,
          reason: exec.reason ?? null,
        }));
  const skillItem = items.find((i) => i.id === 'delivery-skill');
  const ref = { clusterId, namespace, name };

  return (
    <Section title="Delivery readiness">
      <div className="space-y-4" data-testid="readiness-panel" data-overall={overall}>
        <p className="flex flex-wrap items-center gap-2 text-sm text-zinc-700 dark:text-zinc-300">
          <StatusBadge status={overall} />
          <span>
            {overall === 'pass'
              ? 'An image Codex makes now should reach Discord.'
              : overall === 'fail'
                ? 'An image Codex makes now would not reach Discord: see what fails below.'
                : 'Some checks could not be made: see why below.'}
          </span>
        </p>
        <ReadinessChecklist items={items} channels={server.channels} costs={CHECK_COSTS} />
        <div className="flex flex-wrap items-start gap-3 border-t border-zinc-200 pt-3 dark:border-zinc-800">
          <div className="min-w-0 flex-1">
            <h3 className="text-sm font-medium">Delivery skill</h3>
            <p className="text-xs text-zinc-600 dark:text-zinc-400">
              Writes <code>skills/discord-image-delivery/SKILL.md</code> and <code>scripts/upload.sh</code> into the agent&apos;s Codex home
              {server.codexHome ? (
                <>
                  {' '}
                  (<code>{server.codexHome}</code>)
                </>
              ) : null}
              . The script posts to the thread, falling back to the channel, with the token from the environment, and fails when Discord
              refuses. A skill changed by hand is replaced only after you saw the difference.
            </p>
          </div>
          <InstallSkillButton agent={ref} permission={install} installed={skillItem?.status === 'pass'} />
        </div>
        <div className="border-t border-zinc-200 pt-3 dark:border-zinc-800">
          <h3 className="mb-2 text-sm font-medium">Skills{server.skills ? ` (${server.skills.length})` : ''}</h3>
          <SkillsList skills={server.skills} />
        </div>
        {server.podCheckedAt && (
          <p className="text-xs text-zinc-500">
            Pod checked <RelativeTime iso={server.podCheckedAt} suffix=" ago" />.
          </p>
        )}
      </div>
    </Section>
  );
}
