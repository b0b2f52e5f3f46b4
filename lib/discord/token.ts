import 'server-only';
import type { Cluster } from '../k8s/clusters';
import { getDeployment } from '../k8s/agents';
import { readSecretValue } from '../k8s/secrets';
import { ClusterError } from '../k8s/errors';
import { getSettings } from '../settings';
import { configuredBotToken } from './settings';

export interface BotToken {
  token: string;
  /** Where it came from, for messages (never the value). */
  source: 'dashboard setting' | 'agent secret';
}

/**
 * The bot token for an agent's uploads: the dashboard's own setting, else the one the
 * agent's chart passes to OpenAB (its Deployment's DISCORD_BOT_TOKEN secretKeyRef, by
 * default the Secret named like the Deployment, key `discord-bot-token`).
 */
export async function botTokenFor(cluster: Cluster, namespace: string, deployment: string): Promise<BotToken> {
  const own = configuredBotToken();
  if (own) return { token: own, source: 'dashboard setting' };
  let secretName = deployment;
  let key = 'discord-bot-token';
  try {
    const d = await getDeployment(cluster, namespace, deployment);
    const container = d.spec?.template?.spec?.containers?.find((c) => c.name === getSettings().containerName);
    const ref = container?.env?.find((e) => e.name === 'DISCORD_BOT_TOKEN')?.valueFrom?.secretKeyRef;
    if (ref?.name && ref.key) {
      secretName = ref.name;
      key = ref.key;
    }
  } catch {
    // Fall back to the chart's naming.
  }
  let token: string | null;
  try {
    token = await readSecretValue(cluster, namespace, secretName, key);
  } catch (err) {
    const why = err instanceof ClusterError ? err.message : 'the Secret could not be read';
    throw new ClusterError(`No bot token: DISCORD_FILE_BOT_TOKEN / DISCORD_BOT_TOKEN are not set and ${why}`, 'forbidden');
  }
  if (!token) throw new ClusterError(`No bot token: DISCORD_FILE_BOT_TOKEN / DISCORD_BOT_TOKEN are not set and Secret ${namespace}/${secretName} has no "${key}".`, 'not-found');
  return { token, source: 'agent secret' };
}
