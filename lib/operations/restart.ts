import 'server-only';
import type * as k8s from '@kubernetes/client-node';
import { readRolloutStatus, restartDeployment, RESTARTED_AT, type RolloutStatus } from '../k8s/rollout';
import { findAgentDeployment } from './target';
import { record, type Actor } from './activity';
import { recordRestartOutcome } from './restart-outcome';
import { agentKey, agentLabel, type AgentRef } from './agent-ref';
import { forEachAgent, MAX_BULK_AGENTS, type BulkItem } from './each-agent';
import { processState } from '../process-state';

export type RestartResult =
  | { status: 'restarting'; restartedAt: string; generation: number; message: string }
  | { status: 'already-restarting'; rollout: RolloutStatus; message: string };

// One restart per agent at a time in this process: a double click waits for the first
// patch, then finds the rollout in progress and does not patch again.
const running = processState('operations.restart.running', () => new Map<string, Promise<unknown>>());

async function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = running.get(key) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(work);
  running.set(key, next);
  try {
    return await next;
  } finally {
    if (running.get(key) === next) running.delete(key);
  }
}

/**
 * `kubectl rollout restart` of one agent, unless a rollout is already under way (a second
 * click, or another operator): then nothing is patched and the caller follows that rollout.
 */
export function restartAgent(ref: AgentRef, actor: Actor): Promise<RestartResult> {
  return serialised(agentKey(ref), async () => {
    const { cluster, deployment } = await findAgentDeployment(ref);
    const rollout = await readRolloutStatus(cluster, ref.namespace, ref.name);
    if (rolloutUnderWay(deployment, rollout, Date.now())) {
      return { status: 'already-restarting', rollout, message: `${agentLabel(ref)} is already restarting: ${rollout.message}` };
    }
    const before = {
      restartedAt: deployment.spec?.template?.metadata?.annotations?.[RESTARTED_AT] ?? null,
      pods: rollout.pods.map((p) => p.name),
    };
    try {
      const { generation, restartedAt } = await restartDeployment(cluster, ref.namespace, ref.name);
      await record(cluster, actor, ref, { action: 'restart', before, after: { restartedAt }, result: 'started' });
      return { status: 'restarting', restartedAt, generation, message: `${agentLabel(ref)} is restarting.` };
    } catch (err) {
      await record(cluster, actor, ref, {
        action: 'restart',
        before,
        result: 'failure',
        detail: err instanceof Error ? err.message : String(err),
      });
      throw err;
    }
  });
}

/**
 * Whether a rollout is still being carried out, so a restart now would only start it over:
 * the controller has not caught up, an old pod is still going, not every replica is of the
 * new template yet, or a restart began within the progress deadline and is not ready yet.
 * A pod that crash-loops, or stays unready, long after its rollout may be restarted.
 */
export function rolloutUnderWay(deployment: k8s.V1Deployment, rollout: RolloutStatus, now: number): boolean {
  if (rollout.done) return false;
  if (rollout.observedGeneration < rollout.generation) return true;
  if (rollout.pods.some((p) => p.terminating)) return true;
  if ((deployment.status?.updatedReplicas ?? 0) < (deployment.spec?.replicas ?? 1)) return true;
  const started = Date.parse(rollout.restartedAt ?? '');
  return Number.isFinite(started) && now - started < (deployment.spec?.progressDeadlineSeconds ?? 600) * 1000;
}

export type BulkRestartItem = BulkItem<RestartResult>;

export const MAX_BULK_RESTART = MAX_BULK_AGENTS;

/** Restarts several agents, each on its own: one failing does not stop the others. */
export function restartAgents(refs: AgentRef[], actor: Actor): Promise<BulkRestartItem[]> {
  return forEachAgent(
    refs,
    (ref) => restartAgent(ref, actor),
    (ref) => `${agentLabel(ref)} could not be restarted.`,
  );
}

/**
 * The rollout of one agent, for the progress display (checked to be an agent first). A
 * finished rollout that the dashboard started gets its outcome recorded.
 */
export async function agentRolloutStatus(ref: AgentRef): Promise<RolloutStatus> {
  const { cluster } = await findAgentDeployment(ref);
  const status = await readRolloutStatus(cluster, ref.namespace, ref.name);
  await recordRestartOutcome(cluster, ref, status);
  return status;
}
