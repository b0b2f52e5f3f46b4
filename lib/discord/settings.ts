import 'server-only';
import { normalizeApiBase } from './client';
import { getSettings } from '../settings';

/** DISCORD_API_BASE: the API root (default Discord's v10); a bare host gets `/api/v10`. */
export function discordApiBase(): string {
  return normalizeApiBase(getSettings().discord.apiBase);
}

/** The dashboard's own bot token, when configured (a dedicated file bot is preferred). */
export function configuredBotToken(): string | null {
  return getSettings().discord.botToken;
}
