import type { AgentProbe } from '@/lib/fleet/probe';
import { approvalCheck, imageGenerationCheck, orderItems, overallStatus, type ReadinessItem } from '@/lib/readiness/checks';
import { StatusBadge } from './status-badge';

/** What the overview receives per agent from /api/readiness. */
export interface OverviewReadiness {
  items: ReadinessItem[];
}

/** The full checklist for a card: probe-based items computed here, the rest from the server. */
export function overviewItems(
  probe: AgentProbe | null,
  problem: string | null,
  server: OverviewReadiness | undefined,
): ReadinessItem[] | null {
  if (!server) return null;
  return orderItems([imageGenerationCheck(probe, problem), approvalCheck(probe?.approval, probe), ...server.items]);
}

/** The overview card's readiness: one badge, with what fails named beside it. */
export function ReadinessBadge({ items }: { items: ReadinessItem[] | null }) {
  if (!items)
    return (
      <span className="text-xs text-zinc-500" data-testid="readiness-badge" data-status="loading">
        checking…
      </span>
    );
  const status = overallStatus(items);
  const notPassing = items.filter((i) => i.status !== 'pass');
  const summary = notPassing.map((i) => `${i.status === 'fail' ? '✗' : '?'} ${i.label}: ${i.reason}`).join('\n');
  return (
    <span
      className="flex min-w-0 max-w-full items-center gap-1"
      data-testid="readiness-badge"
      data-status={status}
      title={summary || 'Every check passes.'}
    >
      <span className="shrink-0">
        <StatusBadge
          status={status}
          label={
            status === 'pass' ? 'Ready' : status === 'fail' ? `${notPassing.filter((i) => i.status === 'fail').length} failing` : 'Unknown'
          }
        />
      </span>
      {status !== 'pass' && (
        <span className="min-w-0 truncate text-xs text-zinc-600 dark:text-zinc-400">{notPassing.map((i) => SHORT[i.id]).join(', ')}</span>
      )}
    </span>
  );
}

const SHORT: Record<ReadinessItem['id'], string> = {
  'image-generation': 'image generation',
  'upload-token': 'token',
  'discord-permissions': 'permissions',
  'delivery-skill': 'skill',
  'approval-mode': 'approval',
};
