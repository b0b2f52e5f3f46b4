import 'server-only';
import type { Cluster } from '../k8s/clusters';
import type { RolloutStatus } from '../k8s/rollout';
import { listAgentHistory } from '../audit/history';
import { record } from './activity';
import type { AgentRef } from './agent-ref';
import { processState } from '../process-state';

// Outcomes this process has already settled (one list of Events per restart, not per poll).
const settled = processState('operations.restart-outcome.settled', () => new Set<string>());

/**
 * Completes the record of a restart started through the dashboard: when its rollout is done,
 * one more entry says how it ended (ready, or failed with the reason), in the name of whoever
 * started it. Whoever watches first writes it; an entry already there is not written twice.
 */
export async function recordRestartOutcome(cluster: Cluster, ref: AgentRef, status: RolloutStatus): Promise<void> {
  if (!status.done || !status.restartedAt) return;
  const key = `${cluster.id}/${ref.namespace}/${ref.name}@${status.restartedAt}`;
  if (settled.has(key)) return;
  settled.add(key);
  if (settled.size > 5000) settled.clear();
  try {
    const history = await listAgentHistory(cluster, ref.namespace, ref.name, 200);
    const about = (h: (typeof history)[number]) =>
      h.action === 'restart' && (h.after as { restartedAt?: unknown } | undefined)?.restartedAt === status.restartedAt;
    const started = history.find((h) => about(h) && h.result === 'started');
    if (!started || history.some((h) => about(h) && h.result !== 'started')) return;
    await record(cluster, { name: started.user, email: null, role: started.role ?? 'unknown' }, ref, {
      action: 'restart',
      after: { restartedAt: status.restartedAt },
      result: status.failed ? 'failure' : 'success',
      detail: status.message,
    });
  } catch {
    // The record is a courtesy; the restart itself is already recorded as started.
    settled.delete(key);
  }
}
