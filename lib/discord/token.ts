import 'server-only';
import type { V1EnvVar } from '@kubernetes/client-node';
import type { Cluster } from '../k8s/clusters';
import { getDeployment } from '../k8s/agents';
import { readSecretValue } from '../k8s/secrets';
import { ClusterError } from '../k8s/errors';
import { getSettings } from '../settings';
import { configuredBotToken } from './settings';
import { uploadTokenSources } from './token-sources';

export interface BotToken {
  token: string;
  /** Where it came from, for messages (never the value). */
  source: 'dashboard setting' | 'agent file bot' | 'agent secret';
}

/**
 * The bot token for an agent's uploads: the dashboard's own setting, else the agent's file bot
 * (DISCORD_FILE_BOT_TOKEN in its env or Secret, the bot OpenAB's docs advise for files), else
 * the bot token its chart passes to OpenAB (by default the Secret named like the Deployment,
 * key `discord-bot-token`).
 */
export async function botTokenFor(cluster: Cluster, namespace: string, deployment: string): Promise<BotToken> {
  const own = configuredBotToken();
  if (own) return { token: own, source: 'dashboard setting' };
  let env: V1EnvVar[] = [];
  try {
    const d = await getDeployment(cluster, namespace, deployment);
    env = d.spec?.template?.spec?.containers?.find((c) => c.name === getSettings().containerName)?.env ?? [];
  } catch {
    // Fall back to the chart's naming.
  }
  let problem = '';
  for (const source of uploadTokenSources(env, deployment)) {
    if ('value' in source)
      return { token: source.value, source: source.variable === 'DISCORD_FILE_BOT_TOKEN' ? 'agent file bot' : 'agent secret' };
    try {
      const token = await readSecretValue(cluster, namespace, source.secret, source.key);
      if (token) return { token, source: source.variable === 'DISCORD_FILE_BOT_TOKEN' ? 'agent file bot' : 'agent secret' };
      problem = `Secret ${namespace}/${source.secret} has no "${source.key}".`;
    } catch (err) {
      problem = err instanceof ClusterError ? err.message : 'the Secret could not be read';
    }
  }
  throw new ClusterError(
    `No bot token: DISCORD_FILE_BOT_TOKEN / DISCORD_BOT_TOKEN are not set and ${problem}`,
    problem.startsWith('Secret ') ? 'not-found' : 'forbidden',
  );
}
