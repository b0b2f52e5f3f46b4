// What is worth telling an operator, found in what the fleet already reads. Pure: the caller
// brings the fleet and the failed deliveries; every event carries a key that stays the same for
// as long as the fact it reports, so replicas and restarts agree on what was already sent.
import type { FleetAgent } from '../fleet/fleet';
import type { AgentDeliveries } from '../deliveries/fleet-deliveries';
import { agentKey, agentLabel, type AgentRef } from '../k8s/agent-ref';

export type NotificationType = 'login-expired' | 'login-expiring' | 'crash-loop' | 'delivery-failed' | 'full-access';

export interface NotificationEvent {
  /** `type|cluster/namespace/name|fact`: one message per key, ever. */
  key: string;
  type: NotificationType;
  agent: AgentRef;
  /** When the fact was found (ISO time). */
  at: string;
  /** One line in plain words: agent names, times, counts; never a token or a line of a config file. */
  message: string;
}

/** A crash loop is told again when its restart count reaches the next power of ten (1, 10, 100, ...). */
export function restartBucket(restarts: number): number {
  return restarts < 1 ? 0 : Math.floor(Math.log10(restarts));
}

function eventOf(type: NotificationType, agent: AgentRef, fact: string, at: string, message: string): NotificationEvent {
  return { key: `${type}|${agentKey(agent)}|${fact}`, type, agent, at, message };
}

function refOf(a: FleetAgent): AgentRef {
  return { clusterId: a.clusterId, namespace: a.workload.namespace, name: a.workload.name };
}

/**
 * Events of the fleet as read now. `fullAccessSince` holds, per agent key, when it was first seen
 * in Full access (kept in the cluster by the caller): a switch back and forth is a new event.
 */
export function fleetEvents(agents: FleetAgent[], fullAccessSince: Record<string, string>, now: Date): NotificationEvent[] {
  const at = now.toISOString();
  const out: NotificationEvent[] = [];
  for (const a of agents) {
    const ref = refOf(a);
    const label = agentLabel(ref);
    const login = a.probe?.login;
    if (login?.kind === 'chatgpt' && login.expiresAt && (login.expiry === 'expired' || login.expiry === 'soon')) {
      out.push(
        login.expiry === 'expired'
          ? eventOf(
              'login-expired',
              ref,
              login.expiresAt,
              at,
              `Agent ${label}: its Codex login expired at ${login.expiresAt}. Log it in again from the dashboard.`,
            )
          : eventOf(
              'login-expiring',
              ref,
              login.expiresAt,
              at,
              `Agent ${label}: its Codex login expires at ${login.expiresAt}, within a day. Log it in again before then.`,
            ),
      );
    }
    for (const pod of a.workload.pods) {
      if (!pod.crashLooping) continue;
      const bucket = restartBucket(pod.restarts);
      out.push(
        eventOf(
          'crash-loop',
          ref,
          `${pod.uid}:${bucket}`,
          at,
          `Agent ${label}: pod ${pod.name} is crash-looping (${pod.restarts} restarts).`,
        ),
      );
    }
    const since = fullAccessSince[agentKey(ref)];
    if (a.probe?.approval.ok && a.probe.approval.mode === 'full-access' && since) {
      out.push(
        eventOf(
          'full-access',
          ref,
          since,
          at,
          `Agent ${label} runs in Full access: Codex asks no approval and has no sandbox (seen since ${since}).`,
        ),
      );
    }
  }
  return out;
}

/** Agents in Full access now (true), out of it (false), or not readable (absent: keep what was known). */
export function fullAccessNow(agents: FleetAgent[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const a of agents) if (a.probe?.approval.ok) out.set(agentKey(refOf(a)), a.probe.approval.mode === 'full-access');
  return out;
}

/** One event per image whose delivery to Discord failed and was not re-delivered since. */
export function deliveryEvents(results: AgentDeliveries[], now: Date): NotificationEvent[] {
  const at = now.toISOString();
  return results.flatMap((r) =>
    r.items
      .filter((d) => d.kind === 'failed' && !d.redelivered)
      .map((d) => {
        const why = d.httpStatus ? ` (HTTP ${d.httpStatus}${d.discordCode ? `, Discord code ${d.discordCode}` : ''})` : '';
        return eventOf(
          'delivery-failed',
          r.ref,
          d.image,
          at,
          `Agent ${agentLabel(r.ref)}: image ${d.image} did not reach Discord${why}. Re-send it from Deliveries.`,
        );
      }),
  );
}
