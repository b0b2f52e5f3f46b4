import 'server-only';
import pLimit from 'p-limit';
import { getCluster } from '../k8s/clusters';
import { agentKey, type AgentRef } from '../k8s/agent-ref';
import { botTokenFor } from '../discord/token';
import { channelName } from '../readiness/discord-check';

/** Most distinct targets named per page: the rest keep their bare ids. */
const MAX_TARGETS = 200;

/**
 * Names of the Discord channels and threads deliveries went to, asked with each agent's own
 * bot (the one that may read them), keyed `<agent key> <target id>`. A target its bot cannot
 * read, or an agent without a token, is simply left out.
 */
export async function deliveryTargetNames(rows: Array<{ ref: AgentRef; target: string | null }>): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const wanted = new Map<string, { ref: AgentRef; target: string }>();
  for (const { ref, target } of rows) {
    if (target && wanted.size < MAX_TARGETS) wanted.set(`${agentKey(ref)} ${target}`, { ref, target });
  }
  const tokens = new Map<string, Promise<string | null>>();
  const tokenOf = (ref: AgentRef) => {
    const key = agentKey(ref);
    if (!tokens.has(key))
      tokens.set(
        key,
        botTokenFor(getCluster(ref.clusterId), ref.namespace, ref.name).then(
          (t) => t.token,
          () => null,
        ),
      );
    return tokens.get(key)!;
  };
  const limit = pLimit(4);
  await Promise.all(
    [...wanted].map(([key, { ref, target }]) =>
      limit(async () => {
        const token = await tokenOf(ref);
        const name = token ? await channelName(token, target).catch(() => null) : null;
        if (name) names.set(key, name);
      }),
    ),
  );
  return names;
}
