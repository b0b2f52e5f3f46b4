// Where an agent's upload token is, in the order the dashboard tries them. Pure: decided from
// the `openab` container's env as the Deployment declares it.
import type { V1EnvVar } from '@kubernetes/client-node';

export type TokenVariable = 'DISCORD_FILE_BOT_TOKEN' | 'DISCORD_BOT_TOKEN';
export type TokenSource = { variable: TokenVariable; value: string } | { variable: TokenVariable; secret: string; key: string };

/**
 * The file bot's token first (it needs only the upload permissions), then the bot token, each
 * as a literal value or a Secret reference; the chart's own Secret (`<deployment>`, key
 * `discord-bot-token`) when the env names no bot token at all.
 */
export function uploadTokenSources(env: readonly V1EnvVar[], deployment: string): TokenSource[] {
  const sources: TokenSource[] = [];
  for (const variable of ['DISCORD_FILE_BOT_TOKEN', 'DISCORD_BOT_TOKEN'] as const) {
    const entry = env.find((e) => e.name === variable);
    const ref = entry?.valueFrom?.secretKeyRef;
    if (entry?.value) sources.push({ variable, value: entry.value });
    else if (ref?.name && ref.key) sources.push({ variable, secret: ref.name, key: ref.key });
  }
  if (!sources.some((s) => s.variable === 'DISCORD_BOT_TOKEN'))
    sources.push({ variable: 'DISCORD_BOT_TOKEN', secret: deployment, key: 'discord-bot-token' });
  return sources;
}
