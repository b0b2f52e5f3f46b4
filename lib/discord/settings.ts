import 'server-only';
import { normalizeApiBase } from './client';

/** DISCORD_API_BASE: the API root (default Discord's v10); a bare host gets `/api/v10`. */
export function discordApiBase(): string {
  return normalizeApiBase(process.env.DISCORD_API_BASE?.trim() || 'https://discord.com/api/v10');
}

/** The dashboard's own bot token, when configured (a dedicated file bot is preferred). */
export function configuredBotToken(): string | null {
  return process.env.DISCORD_FILE_BOT_TOKEN?.trim() || process.env.DISCORD_BOT_TOKEN?.trim() || null;
}
