import 'server-only';
import pLimit from 'p-limit';
import { ClusterError } from '../k8s/errors';
import type { AgentRef } from '../images/agent-pod';
import { readInventory, type AgentInventory } from '../images/inventory';
import { findFailedDeliveries, type FailedDelivery, type SessionFacts } from './find';
import { parseMarks } from './marks';

export interface AgentDeliveries {
  ref: AgentRef;
  items: FailedDelivery[];
  error: string | null;
}

export function deliveriesOf(inv: AgentInventory): FailedDelivery[] {
  const sessions = new Map<string, SessionFacts>();
  for (const s of inv.sessions.values()) {
    sessions.set(s.id, {
      id: s.id,
      rollout: s.rollout,
      target: s.target,
      channelId: s.sender?.channelId ?? null,
      threadId: s.sender?.threadId ?? null,
    });
  }
  // Stable copies are the skill's own (it sends what it copies): deliveries are about what Codex made.
  return findFailedDeliveries(
    inv.images.filter((e) => e.source !== 'stable'),
    sessions,
    parseMarks(inv.marksText),
  );
}

/** Failed and never-sent images of each agent: one inventory exec per agent (cached briefly). */
export async function listFailedDeliveries(
  agents: Array<{ ref: AgentRef; error: string | null }>,
  opts: { maxAgeMs?: number } = {},
): Promise<AgentDeliveries[]> {
  const limit = pLimit(8);
  return Promise.all(
    agents.map((a) =>
      limit(async (): Promise<AgentDeliveries> => {
        if (a.error) return { ref: a.ref, items: [], error: a.error };
        try {
          return { ref: a.ref, items: deliveriesOf(await readInventory(a.ref, opts)), error: null };
        } catch (err) {
          return {
            ref: a.ref,
            items: [],
            error: err instanceof ClusterError ? err.message : `The sessions could not be read: ${(err as Error).message}`,
          };
        }
      }),
    ),
  );
}
